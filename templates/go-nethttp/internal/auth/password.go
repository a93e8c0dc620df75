// Package auth holds the security primitives: argon2id password hashes
// behind a concurrency gate, HS256 access tokens and the sliding-window
// limiters. None of it touches HTTP or the database, so each piece is
// unit-tested on its own.
package auth

import (
	"context"
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

// Bounds on the parameters read back from a stored hash: a corrupted or
// planted hash must not make argon2.IDKey panic (p=0) or allocate gigabytes.
const (
	maxMemoryKiB   = 1 << 20 // 1 GiB
	maxIterations  = 10
	maxParallelism = 16
)

// ErrMalformedHash means a stored hash is not a PHC-format argon2id string
// with sane parameters.
var ErrMalformedHash = errors.New("malformed argon2id hash")

// Hasher hashes and verifies passwords, at most as many at once as its
// Gate allows.
type Hasher struct {
	Params Argon2Params
	gate   *Gate
	// dummy is verified against when the user does not exist, so an unknown
	// email costs the same time as a wrong password.
	dummy string
}

// NewHasher returns a Hasher using params for new hashes and gate to bound
// how many run at once.
func NewHasher(params Argon2Params, gate *Gate) (*Hasher, error) {
	h := &Hasher{Params: params, gate: gate}
	dummy, err := h.hash(rand.Text())
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// Hash returns the PHC string `$argon2id$v=19$m=...,t=...,p=...$salt$key`.
// It fails with ErrHashBusy when no hashing slot frees in time.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	leave, err := h.gate.Enter(ctx)
	if err != nil {
		return "", err
	}
	defer leave()
	return h.hash(password)
}

func (h *Hasher) hash(password string) (string, error) {
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

// Verify reports whether password matches encoded, in constant time. It
// fails with ErrHashBusy when no hashing slot frees in time.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	leave, err := h.gate.Enter(ctx)
	if err != nil {
		return false, err
	}
	defer leave()
	keyLength := uint32(len(want)) //nolint:gosec // at most 1024, checked by parsePHC
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, keyLength)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Waste spends the time of one Verify, for logins of unknown emails. Like
// Verify, it waits for a hashing slot and can fail with ErrHashBusy.
func (h *Hasher) Waste(ctx context.Context, password string) error {
	_, err := h.Verify(ctx, password, h.dummy)
	return err
}

// parsePHC splits an argon2id PHC string into its checked parts.
func parsePHC(encoded string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, ErrMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations, &p.Parallelism); err != nil {
		return p, nil, nil, ErrMalformedHash
	}
	if p.Parallelism < 1 || p.Parallelism > maxParallelism || p.Iterations < 1 || p.Iterations > maxIterations ||
		p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxMemoryKiB {
		return p, nil, nil, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err = b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, ErrMalformedHash
	}
	key, err = b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 1024 {
		return p, nil, nil, ErrMalformedHash
	}
	return p, salt, key, nil
}
