//go:build e2e

package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// delivery is one webhook request the receiver got.
type delivery struct {
	headers http.Header
	body    []byte
}

// receiver is a webhook endpoint on 127.0.0.1, as a user's service would be.
type receiver struct {
	srv *httptest.Server
	got chan delivery
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{got: make(chan delivery, 16)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.got <- delivery{headers: r.Header.Clone(), body: body}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) url() string { return rc.srv.URL + "/hooks" }

func (rc *receiver) next(t *testing.T, within time.Duration) delivery {
	t.Helper()
	select {
	case d := <-rc.got:
		return d
	case <-time.After(within):
		t.Fatalf("no webhook arrived within %v", within)
		return delivery{}
	}
}

// verify checks the Standard Webhooks signature the way a receiver written
// in any language would: HMAC-SHA256 over "<id>.<timestamp>.<body>" with the
// base64-decoded part of the secret after "whsec_".
func (d delivery) verify(secret string) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(d.headers.Get("Webhook-Id") + "." + d.headers.Get("Webhook-Timestamp") + "."))
	mac.Write(d.body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(d.headers.Get("Webhook-Signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}
