package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

func TestSignMatchesTheStandardWebhooksConstruction(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	body := []byte(`{"type":"task.created"}`)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("msg_1.1700000000." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if got := Sign(key, "msg_1", 1700000000, body); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerifyAcceptsTheSignatureAndRefusesATamperedBody(t *testing.T) {
	key, err := SecretKey(NewSecret())
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"task.created","data":{"title":"a"}}`)
	header := Sign(key, "id-1", 1700000000, body)
	if !Verify(key, "id-1", 1700000000, body, "v1,bogus "+header) {
		t.Fatal("a valid signature (second in the header) was refused")
	}
	tampered := []byte(strings.Replace(string(body), `"a"`, `"b"`, 1))
	if Verify(key, "id-1", 1700000000, tampered, header) {
		t.Error("a tampered body passed verification")
	}
	if Verify(key, "id-1", 1700000001, body, header) {
		t.Error("a changed timestamp passed verification")
	}
	if Verify([]byte("another key of 22 bytes!"), "id-1", 1700000000, body, header) {
		t.Error("another key passed verification")
	}
}

func TestSecretsFollowTheStandardWebhooksForm(t *testing.T) {
	secret := NewSecret()
	key, err := SecretKey(secret)
	if err != nil || len(key) != 32 || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("NewSecret() = %q (key %d bytes, %v)", secret, len(key), err)
	}
	for _, ok := range []string{
		"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 22)),
		"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 66)),
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=", // unused trailing bits set: lenient
	} {
		if _, err := SecretKey(ok); err != nil {
			t.Errorf("SecretKey(%q) refused: %v", ok, err)
		}
	}
	for _, bad := range []string{
		"", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_short",
		"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 21)),
		"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 67)),
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!",
	} {
		if _, err := SecretKey(bad); err == nil {
			t.Errorf("SecretKey(%q) accepted", bad)
		}
	}
}
