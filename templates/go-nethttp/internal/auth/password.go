// Package auth holds the security primitives: argon2id password hashes,
// HS256 access tokens and the failed-login limiter. None of it touches HTTP
// or the database, so each piece is unit-tested on its own.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters written into every hash, so
// raising them later does not invalidate existing hashes.
type Argon2Params struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
	SaltLength  uint32
	KeyLength   uint32
}

// DefaultArgon2Params follow the OWASP password storage cheat sheet
// (m=19 MiB, t=2, p=1).
var DefaultArgon2Params = Argon2Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// ErrMalformedHash means a stored hash is not a PHC-format argon2id string.
var ErrMalformedHash = errors.New("malformed argon2id hash")

// Hasher hashes and verifies passwords.
type Hasher struct {
	Params Argon2Params
	// dummy is verified against when the user does not exist, so an unknown
	// email costs the same time as a wrong password.
	dummy string
}

// NewHasher returns a Hasher using params for new hashes.
func NewHasher(params Argon2Params) (*Hasher, error) {
	h := &Hasher{Params: params}
	dummy, err := h.Hash(rand.Text())
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// Hash returns the PHC string `$argon2id$v=19$m=...,t=...,p=...$salt$key`.
func (h *Hasher) Hash(password string) (string, error) {
	p := h.Params
	salt := make([]byte, p.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches encoded, in constant time.
func (h *Hasher) Verify(password, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations, &p.Parallelism); err != nil {
		return false, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformedHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 1024 {
		return false, ErrMalformedHash
	}
	keyLength := uint32(len(want)) //nolint:gosec // at most 1024, checked above
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, keyLength)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Waste spends the time of one Verify, for logins of unknown emails.
func (h *Hasher) Waste(password string) {
	_, _ = h.Verify(password, h.dummy)
}
