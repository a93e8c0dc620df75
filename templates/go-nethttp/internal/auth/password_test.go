package auth

import (
	"strings"
	"testing"
)

var fastParams = Argon2Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func TestHashVerifiesOnlyTheRightPassword(t *testing.T) {
	h, err := NewHasher(fastParams)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("unexpected PHC string %q", hash)
	}
	if ok, err := h.Verify("correct horse battery", hash); err != nil || !ok {
		t.Errorf("right password refused: %v %v", ok, err)
	}
	if ok, _ := h.Verify("wrong horse battery", hash); ok {
		t.Error("wrong password accepted")
	}
	other, _ := h.Hash("correct horse battery")
	if other == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestVerifyUsesTheParametersStoredInTheHash(t *testing.T) {
	old, _ := NewHasher(fastParams)
	hash, _ := old.Hash("correct horse battery")
	stronger := fastParams
	stronger.Memory, stronger.Iterations = 2048, 2
	current, _ := NewHasher(stronger)
	if ok, err := current.Verify("correct horse battery", hash); err != nil || !ok {
		t.Errorf("hash made with older parameters no longer verifies: %v %v", ok, err)
	}
}

func TestVerifyRejectsMalformedHashes(t *testing.T) {
	h, _ := NewHasher(fastParams)
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=8,t=1,p=1$!!$a2V5"} {
		if _, err := h.Verify("pw", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
