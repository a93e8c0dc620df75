package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestHealthz(t *testing.T) {
	s := newTestServer(t)
	resp := s.do("GET", "/healthz", nil, "")
	expectStatus(t, resp, http.StatusOK)
	if body := resp.JSON(t); body["status"] != "ok" {
		t.Errorf("body %s", resp.Body)
	}
}

func TestReadyzChecksTheDatabase(t *testing.T) {
	s := newTestServer(t)
	resp := s.do("GET", "/readyz", nil, "")
	expectStatus(t, resp, http.StatusOK)
	if body := resp.JSON(t); body["status"] != "ready" {
		t.Errorf("body %s", resp.Body)
	}

	_ = s.db.Close() // the database goes away
	expectProblem(t, s.do("GET", "/readyz", nil, ""), http.StatusServiceUnavailable)
}

func TestMetricsLabelRoutesByTemplate(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	id := s.createTask(token, "Measure")
	s.do("GET", taskPath(id), nil, token)
	s.do("GET", "/no/such/route", nil, "")

	resp := s.do("GET", "/metrics", nil, "")
	expectStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	text := string(resp.Body)
	for _, want := range []string{
		`http_requests_total{method="GET",route="/api/v1/tasks/{id}",status="200"} 1`,
		`http_requests_total{method="POST",route="/api/v1/auth/login",status="200"} 1`,
		`http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`http_request_duration_seconds_bucket{method="GET",route="/api/v1/tasks/{id}",le="+Inf"} 1`,
		`http_request_duration_seconds_sum{method="GET",route="/api/v1/tasks/{id}"}`,
		`http_request_duration_seconds_count{method="GET",route="/api/v1/tasks/{id}"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, taskPath(id)+`"`) {
		t.Errorf("a raw path became a label")
	}
}

func TestInventedMethodsAddNoMetricSeries(t *testing.T) {
	s := newTestServer(t)
	for i := range 20 {
		for _, path := range []string{"/api/v1/tasks", "/healthz", "/no/such/route"} {
			s.do(fmt.Sprintf("FOO%d", i), path, nil, "")
		}
	}
	text := string(s.do("GET", "/metrics", nil, "").Body)
	if strings.Contains(text, `method="FOO`) {
		t.Errorf("an invented method became a label value")
	}
	for _, want := range []string{
		`http_requests_total{method="OTHER",route="unmatched",status="405"} 40`,
		`http_requests_total{method="OTHER",route="unmatched",status="404"} 20`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestOpenAPIIsServedAsJSON(t *testing.T) {
	s := newTestServer(t)
	resp := s.do("GET", "/openapi.json", nil, "")
	expectStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(resp.Body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	if _, ok := doc.Paths["/api/v1/tasks/{id}"]; !ok {
		t.Errorf("paths lack /api/v1/tasks/{id}: %v", doc.Paths)
	}
}

func TestDocsPinRedocWithSubresourceIntegrity(t *testing.T) {
	s := newTestServer(t)
	resp := s.do("GET", "/docs", nil, "")
	expectStatus(t, resp, http.StatusOK)
	page := string(resp.Body)
	if !strings.Contains(page, `spec-url="/openapi.json"`) {
		t.Errorf("the docs page does not load /openapi.json")
	}
	pinned := regexp.MustCompile(`src="https://cdn\.jsdelivr\.net/npm/redoc@\d+\.\d+\.\d+/[^"]+"\s+integrity="sha384-[A-Za-z0-9+/]{64}"\s+crossorigin="anonymous"`)
	if !pinned.MatchString(page) {
		t.Errorf("Redoc is not pinned to an exact version with an integrity hash:\n%s", page)
	}
}

func TestUnknownRouteIsProblem404(t *testing.T) {
	s := newTestServer(t)
	expectProblem(t, s.do("GET", "/api/v1/nothing-here", nil, ""), http.StatusNotFound)
	expectProblem(t, s.do("GET", "/api/v1/tasks/1/extra", nil, ""), http.StatusNotFound)
}

// uriReference is what RFC 3986 allows in a relative reference's path:
// unreserved, sub-delims, ":", "@", "/" and percent-encoded octets.
var uriReference = regexp.MustCompile(`^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$`)

// Regression: `instance` echoed the decoded path, which is not a valid
// uri-reference as soon as it holds a space, a bracket or a non-ASCII byte.
func TestProblemInstanceIsAnEncodedURIReference(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{"/api/v1/a%20b", "/api/v1/%5B%5D%7B%7D", "/api/v1/%E2%82%AC/%25", "/api/v1/nothing/%00", "/api/v1/a%22b%3Cc%3E", "/x%3Fy%23z"} {
		p := expectProblem(t, s.do("GET", path, nil, ""), http.StatusNotFound)
		instance, _ := p["instance"].(string)
		if instance == "" || !uriReference.MatchString(instance) {
			t.Errorf("GET %s: instance %q is not an encoded uri-reference", path, instance)
		}
	}
	p := expectProblem(t, s.do("GET", "/api/v1/tasks/x%20y", nil, s.userToken("ada@example.com")), http.StatusNotFound)
	if p["instance"] != "/api/v1/tasks/x%20y" {
		t.Errorf("instance %v, want /api/v1/tasks/x%%20y", p["instance"])
	}
}

func TestWrongMethodIsProblem405WithAllow(t *testing.T) {
	s := newTestServer(t)
	resp := s.do("PUT", "/api/v1/tasks", `{}`, "")
	expectProblem(t, resp, http.StatusMethodNotAllowed)
	allow := resp.Header.Get("Allow")
	if !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow %q, want GET and POST", allow)
	}
	expectProblem(t, s.do("DELETE", "/api/v1/auth/login", nil, ""), http.StatusMethodNotAllowed)
}

func TestMalformedJSONIs400(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	for _, body := range []string{`{"title": `, `not json`, `{"title": "a"} trailing`, ``} {
		expectProblem(t, s.do("POST", "/api/v1/tasks", body, token), http.StatusBadRequest)
	}
	expectProblem(t, s.do("POST", "/api/v1/auth/register", `{"email":`, ""), http.StatusBadRequest)
}

func TestBodyOverOneMebibyteIs413(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	huge := `{"title": "` + strings.Repeat("a", 1<<20) + `"}`
	expectProblem(t, s.do("POST", "/api/v1/tasks", huge, token), http.StatusRequestEntityTooLarge)
	expectProblem(t, s.do("POST", "/api/v1/auth/register", huge, ""), http.StatusRequestEntityTooLarge)
}

func TestEveryResponseCarriesRequestIDAndNosniff(t *testing.T) {
	s := newTestServer(t)
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, path := range []string{"/healthz", "/api/v1/users/me", "/missing"} {
		resp := s.do("GET", path, nil, "")
		if !uuid.MatchString(resp.Header.Get("X-Request-ID")) {
			t.Errorf("%s: X-Request-ID %q is not a fresh UUID", path, resp.Header.Get("X-Request-ID"))
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff header", path)
		}
	}
	if got := s.do("GET", "/healthz", nil, "", "X-Request-ID", "abc-123.DEF_4").Header.Get("X-Request-ID"); got != "abc-123.DEF_4" {
		t.Errorf("sane id not echoed: %q", got)
	}
	if got := s.do("GET", "/healthz", nil, "", "X-Request-ID", "bad id with spaces").Header.Get("X-Request-ID"); !uuid.MatchString(got) {
		t.Errorf("insane id not replaced: %q", got)
	}
}

func TestRequestLogsAreJSONWithTheRequestIDAndNoSecrets(t *testing.T) {
	s := newTestServer(t)
	s.register("ada@example.com", "correct horse battery")
	s.do("POST", "/api/v1/auth/login", map[string]any{"email": "ada@example.com", "password": "correct horse battery"}, "", "X-Request-ID", "trace-me-42")
	s.srv.Close() // flush: every request has logged

	found := false
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if entry["request_id"] == "trace-me-42" {
			found = true
			if entry["route"] != "/api/v1/auth/login" || entry["status"] != float64(200) || entry["method"] != "POST" {
				t.Errorf("incomplete request log: %v", entry)
			}
		}
	}
	if !found {
		t.Errorf("no log line with the request id:\n%s", s.logs)
	}
	if strings.Contains(s.logs.String(), "correct horse battery") || strings.Contains(s.logs.String(), "eyJ") {
		t.Errorf("a password or token was logged")
	}
}
