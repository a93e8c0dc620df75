package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// secretPrefix marks a Standard Webhooks signing secret.
const secretPrefix = "whsec_"

// secretPattern is openapi.yaml's: whsec_ and the base64 of 22 to 66 bytes.
var secretPattern = regexp.MustCompile(`^whsec_([A-Za-z0-9+/]{4}){7,21}([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$`)

// ErrBadSecret is a secret outside the Standard Webhooks form.
var ErrBadSecret = errors.New("must be whsec_ followed by the base64 of 22 to 66 bytes")

// NewSecret makes a secret from 32 random bytes.
func NewSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return secretPrefix + base64.StdEncoding.EncodeToString(key)
}

// SecretKey returns the HMAC key of secret: the bytes its base64 encodes.
// Decoding is lenient about unused trailing bits, as the contract asks.
func SecretKey(secret string) ([]byte, error) {
	if !secretPattern.MatchString(secret) {
		return nil, ErrBadSecret
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) < 22 || len(key) > 66 {
		return nil, ErrBadSecret
	}
	return key, nil
}

// Sign returns the Webhook-Signature header value for one attempt:
// "v1," and the base64 of HMAC-SHA256(key, "<id>.<timestamp>.<body>").
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify is what a receiver does: it accepts the request when one of the
// space-separated signatures of the header matches, compared in constant
// time. Receivers should also refuse timestamps far from their clock, which
// stops replays; that check needs the receiver's clock, so it is not here.
func Verify(key []byte, id string, timestamp int64, body []byte, header string) bool {
	want := []byte(Sign(key, id, timestamp, body))
	for _, sig := range strings.Fields(header) {
		if hmac.Equal([]byte(sig), want) {
			return true
		}
	}
	return false
}
