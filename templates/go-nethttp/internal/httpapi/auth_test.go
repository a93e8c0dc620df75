package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestRegisterReturnsTheNewUser(t *testing.T) {
	s := newTestServer(t)
	resp := s.do("POST", "/api/v1/auth/register", map[string]any{"email": "  Ada@Example.COM ", "password": "correct horse battery"}, "")
	expectStatus(t, resp, http.StatusCreated)
	body := resp.JSON(t)
	if body["email"] != "ada@example.com" {
		t.Errorf("email %v, want it trimmed and lower-cased", body["email"])
	}
	if id, _ := body["id"].(float64); id < 1 {
		t.Errorf("id %v, want a positive integer", body["id"])
	}
	if _, err := time.Parse(time.RFC3339, body["created_at"].(string)); err != nil {
		t.Errorf("created_at is not RFC 3339: %v", err)
	}
	if _, leaked := body["password_hash"]; leaked || strings.Contains(string(resp.Body), "argon2") {
		t.Errorf("the password hash leaked: %s", resp.Body)
	}
}

func TestRegisterRefusesADuplicateEmailWhateverItsCase(t *testing.T) {
	s := newTestServer(t)
	s.register("dup@example.com", "correct horse battery")
	resp := s.do("POST", "/api/v1/auth/register", map[string]any{"email": "DUP@example.com", "password": "another password"}, "")
	expectProblem(t, resp, http.StatusConflict)
}

func TestRegisterValidatesEmailAndPassword(t *testing.T) {
	s := newTestServer(t)
	cases := map[string]string{
		"no at sign":        `{"email": "ada.example.com", "password": "correct horse"}`,
		"no dot in domain":  `{"email": "ada@localhost", "password": "correct horse"}`,
		"empty local part":  `{"email": "@example.com", "password": "correct horse"}`,
		"space inside":      `{"email": "a da@example.com", "password": "correct horse"}`,
		"two at signs":      `{"email": "a@b@example.com", "password": "correct horse"}`,
		"too long":          `{"email": "` + strings.Repeat("a", 250) + `@example.com", "password": "correct horse"}`,
		"short password":    `{"email": "ada@example.com", "password": "1234567"}`,
		"long password":     `{"email": "ada@example.com", "password": "` + strings.Repeat("p", 129) + `"}`,
		"missing password":  `{"email": "ada@example.com"}`,
		"null email":        `{"email": null, "password": "correct horse"}`,
		"null password":     `{"email": "ada@example.com", "password": null}`,
		"NUL in email":      `{"email": "ada\u0000@example.com", "password": "correct horse"}`,
		"control character": `{"email": "ada\u0007@example.com", "password": "correct horse"}`,
		"password a number": `{"email": "ada@example.com", "password": 12345678}`,
		"not an object":     `["ada@example.com"]`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			expectProblem(t, s.do("POST", "/api/v1/auth/register", body, ""), http.StatusUnprocessableEntity)
		})
	}
	// Passwords are counted in characters, not bytes: 8 runes of 3 bytes each.
	s.register("runes@example.com", strings.Repeat("€", 8))
}

func TestHugeEmailsAreRefusedFast(t *testing.T) {
	s := newTestServer(t)
	for _, n := range []int{255, 128_000, 1<<20 - 100} {
		email := strings.Repeat("a", n-len("@example.com")) + "@example.com"
		for _, path := range []string{"/api/v1/auth/register", "/api/v1/auth/login"} {
			start := time.Now()
			resp := s.do("POST", path, map[string]any{"email": email, "password": "correct horse battery"}, "")
			if n+50 > 1<<20 {
				expectProblem(t, resp, http.StatusRequestEntityTooLarge)
			} else {
				expectProblem(t, resp, http.StatusUnprocessableEntity)
			}
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("%s with a %d-character email took %v, want under 1s", path, n, elapsed)
			}
		}
	}
	// Exactly 254 characters (after trimming) is accepted.
	email := strings.Repeat("a", 254-len("@example.com")) + "@example.com"
	s.register("  "+email+"  ", "correct horse battery")
	s.login(email, "correct horse battery")
}

func TestLoginReturnsABearerToken(t *testing.T) {
	s := newTestServer(t)
	s.register("ada@example.com", "correct horse battery")
	resp := s.do("POST", "/api/v1/auth/login", map[string]any{"email": "ADA@example.com", "password": "correct horse battery"}, "")
	expectStatus(t, resp, http.StatusOK)
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store on a token response", cc)
	}
	body := resp.JSON(t)
	if body["token_type"] != "Bearer" || body["expires_in"] != float64(900) {
		t.Errorf("unexpected token answer: %s", resp.Body)
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(body["access_token"].(string), claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil }); err != nil {
		t.Fatalf("token does not verify with the secret: %v", err)
	}
	for _, claim := range []string{"sub", "iat", "exp"} {
		if _, ok := claims[claim]; !ok {
			t.Errorf("token lacks claim %q", claim)
		}
	}
}

func TestLoginGivesTheSameAnswerForUnknownEmailAndWrongPassword(t *testing.T) {
	s := newTestServer(t)
	s.register("ada@example.com", "correct horse battery")
	wrong := s.do("POST", "/api/v1/auth/login", map[string]any{"email": "ada@example.com", "password": "wrong password"}, "")
	unknown := s.do("POST", "/api/v1/auth/login", map[string]any{"email": "nobody@example.com", "password": "wrong password"}, "")
	expectUnauthorized(t, wrong)
	expectUnauthorized(t, unknown)
	if wrong.JSON(t)["detail"] != unknown.JSON(t)["detail"] {
		t.Errorf("answers differ: %s vs %s", wrong.Body, unknown.Body)
	}
}

// Regression: PostgreSQL refuses text with U+0000, so the lookup failed
// with a 500 instead of the usual 401.
func TestLoginWithANULInTheEmailIs401(t *testing.T) {
	s := newTestServer(t)
	s.register("ada@example.com", "correct horse battery")
	expectUnauthorized(t, s.do("POST", "/api/v1/auth/login", `{"email": "ada@example.com\u0000", "password": "correct horse battery"}`, ""))
}

func TestLoginIsRateLimitedPerEmail(t *testing.T) {
	s := newTestServer(t)
	s.register("ada@example.com", "correct horse battery")
	for i := range 10 {
		resp := s.do("POST", "/api/v1/auth/login", map[string]any{"email": "ada@example.com", "password": "wrong password"}, "")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i+1, resp.StatusCode)
		}
	}
	// Even the right password is refused now, in any letter case.
	resp := s.do("POST", "/api/v1/auth/login", map[string]any{"email": "Ada@Example.com", "password": "correct horse battery"}, "")
	expectProblem(t, resp, http.StatusTooManyRequests)
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		t.Errorf("Retry-After %q, want 1..60 seconds", resp.Header.Get("Retry-After"))
	}
	// Another account is not affected.
	s.register("bob@example.com", "correct horse battery")
	s.login("bob@example.com", "correct horse battery")
}

func TestMeReturnsTheCaller(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	resp := s.do("GET", "/api/v1/users/me", nil, token)
	expectStatus(t, resp, http.StatusOK)
	if body := resp.JSON(t); body["email"] != "ada@example.com" || body["id"] == nil || body["created_at"] == nil {
		t.Errorf("unexpected body: %s", resp.Body)
	}
}

func TestMissingTokenIs401(t *testing.T) {
	s := newTestServer(t)
	expectUnauthorized(t, s.do("GET", "/api/v1/users/me", nil, ""))
	expectUnauthorized(t, s.do("GET", "/api/v1/tasks", nil, "", "Authorization", "Basic YWRhOnB3"))
}

func TestMalformedTokenIs401(t *testing.T) {
	s := newTestServer(t)
	for _, token := range []string{"garbage", "a.b.c", "Bearer", strings.Repeat("x", 500)} {
		expectUnauthorized(t, s.do("GET", "/api/v1/users/me", nil, token))
	}
}

func TestTamperedTokenIs401(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	header, _, _ := strings.Cut(token, ".")
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"2","iat":1700000000,"exp":4700000000}`))
	signature := token[strings.LastIndex(token, ".")+1:]
	expectUnauthorized(t, s.do("GET", "/api/v1/users/me", nil, header+"."+payload+"."+signature))

	// Signed with another secret.
	forged := sign(t, jwt.SigningMethodHS256, []byte("not-the-secret"), jwt.MapClaims{"sub": "1", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
	expectUnauthorized(t, s.do("GET", "/api/v1/users/me", nil, forged))
}

func TestExpiredTokenIs401(t *testing.T) {
	s := newTestServer(t)
	user := s.register("ada@example.com", "correct horse battery")
	sub := strconv.Itoa(int(user["id"].(float64)))
	expired := sign(t, jwt.SigningMethodHS256, []byte(testSecret), jwt.MapClaims{
		"sub": sub, "iat": time.Now().Add(-time.Hour).Unix(), "exp": time.Now().Add(-time.Minute).Unix(),
	})
	expectUnauthorized(t, s.do("GET", "/api/v1/users/me", nil, expired))

	// The same claims, still valid, are accepted: only the expiry differs.
	valid := sign(t, jwt.SigningMethodHS256, []byte(testSecret), jwt.MapClaims{
		"sub": sub, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix(),
	})
	expectStatus(t, s.do("GET", "/api/v1/users/me", nil, valid), http.StatusOK)
}

func TestAlgNoneAndOtherAlgorithmsAre401(t *testing.T) {
	s := newTestServer(t)
	user := s.register("ada@example.com", "correct horse battery")
	claims := jwt.MapClaims{"sub": strconv.Itoa(int(user["id"].(float64))), "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}

	none := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims)
	expectUnauthorized(t, s.do("GET", "/api/v1/users/me", nil, none))

	hs512 := sign(t, jwt.SigningMethodHS512, []byte(testSecret), claims)
	expectUnauthorized(t, s.do("GET", "/api/v1/users/me", nil, hs512))
}

func TestTokenOfADeletedUserIs401(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	if _, err := s.db.ExecContext(t.Context(), "DELETE FROM users"); err != nil {
		t.Fatal(err)
	}
	expectUnauthorized(t, s.do("GET", "/api/v1/users/me", nil, token))
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	token, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return token
}
