package auth

import (
	"context"
	"strings"
	"testing"
	"time"
)

var fastParams = Argon2Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func newTestHasher(t *testing.T, params Argon2Params) *Hasher {
	t.Helper()
	h, err := NewHasher(params, NewGate(2, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashVerifiesOnlyTheRightPassword(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, fastParams)
	hash, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("unexpected PHC string %q", hash)
	}
	if ok, err := h.Verify(ctx, "correct horse battery", hash); err != nil || !ok {
		t.Errorf("right password refused: %v %v", ok, err)
	}
	if ok, _ := h.Verify(ctx, "wrong horse battery", hash); ok {
		t.Error("wrong password accepted")
	}
	other, _ := h.Hash(ctx, "correct horse battery")
	if other == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestVerifyUsesTheParametersStoredInTheHash(t *testing.T) {
	ctx := context.Background()
	hash, _ := newTestHasher(t, fastParams).Hash(ctx, "correct horse battery")
	stronger := fastParams
	stronger.Memory, stronger.Iterations = 2048, 2
	if ok, err := newTestHasher(t, stronger).Verify(ctx, "correct horse battery", hash); err != nil || !ok {
		t.Errorf("hash made with older parameters no longer verifies: %v %v", ok, err)
	}
}

func TestVerifyRejectsMalformedHashes(t *testing.T) {
	h := newTestHasher(t, fastParams)
	salt, key := "c2FsdHNhbHRzYWx0", "a2V5a2V5a2V5a2V5a2V5a2V5"
	for _, bad := range []string{
		"", "plain",
		"$argon2i$v=19$m=1024,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=x,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=1024,t=1,p=1$!!$" + key,
		// Parameters that would panic argon2.IDKey or allocate too much.
		"$argon2id$v=19$m=1024,t=1,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=1024,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=1024,t=1000,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=1024,t=1,p=255$" + salt + "$" + key,
	} {
		if _, err := h.Verify(context.Background(), "pw", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
