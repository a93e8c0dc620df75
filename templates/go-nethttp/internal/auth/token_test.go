package auth

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestTokenRoundTrip(t *testing.T) {
	tokens := NewTokens([]byte("secret"), 15*time.Minute)
	raw, err := tokens.Issue(42)
	if err != nil {
		t.Fatal(err)
	}
	id, err := tokens.Parse(raw)
	if err != nil || id != 42 {
		t.Fatalf("Parse = %d, %v; want 42", id, err)
	}
}

func TestTokenExpires(t *testing.T) {
	tokens := NewTokens([]byte("secret"), time.Minute)
	start := time.Now()
	tokens.now = func() time.Time { return start }
	raw, _ := tokens.Issue(1)
	tokens.now = func() time.Time { return start.Add(61 * time.Second) }
	if _, err := tokens.Parse(raw); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("expired token: err = %v", err)
	}
}

func TestTokenRefusesOtherSecretsAndAlgorithms(t *testing.T) {
	tokens := NewTokens([]byte("secret"), time.Minute)
	claims := jwt.MapClaims{"sub": "1", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix()}
	for name, build := range map[string]func() (string, error){
		"other secret": func() (string, error) {
			return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("other"))
		},
		"alg none": func() (string, error) {
			return jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
		},
		"HS384": func() (string, error) {
			return jwt.NewWithClaims(jwt.SigningMethodHS384, claims).SignedString([]byte("secret"))
		},
		"no exp": func() (string, error) {
			return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "1"}).SignedString([]byte("secret"))
		},
		"non-numeric sub": func() (string, error) {
			c := jwt.MapClaims{"sub": "ada", "exp": time.Now().Add(time.Minute).Unix()}
			return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte("secret"))
		},
	} {
		raw, err := build()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Parse(raw); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: accepted", name)
		}
	}
}
