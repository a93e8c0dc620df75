package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCreateTaskAppliesDefaults(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	resp := s.do("POST", "/api/v1/tasks", map[string]any{"title": "  Write the README  ", "unknown": "ignored"}, token)
	expectStatus(t, resp, http.StatusCreated)
	task := resp.JSON(t)
	id := int64(task["id"].(float64))
	if loc := resp.Header.Get("Location"); loc != taskPath(id) {
		t.Errorf("Location %q, want %q", loc, taskPath(id))
	}
	if task["title"] != "Write the README" || task["description"] != nil || task["done"] != false {
		t.Errorf("unexpected task: %s", resp.Body)
	}
	for _, field := range []string{"created_at", "updated_at"} {
		if _, err := time.Parse(time.RFC3339, task[field].(string)); err != nil {
			t.Errorf("%s is not RFC 3339: %v", field, err)
		}
	}

	resp = s.do("POST", "/api/v1/tasks", map[string]any{"title": "Ship", "description": "v1", "done": true}, token)
	expectStatus(t, resp, http.StatusCreated)
	if task := resp.JSON(t); task["description"] != "v1" || task["done"] != true {
		t.Errorf("unexpected task: %s", resp.Body)
	}
}

func TestCreateTaskValidates(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	cases := map[string]string{
		"missing title":         `{}`,
		"empty title":           `{"title": ""}`,
		"blank title":           `{"title": "   "}`,
		"title too long":        `{"title": "` + strings.Repeat("t", 201) + `"}`,
		"title a number":        `{"title": 5}`,
		"title null":            `{"title": null}`,
		"description too long":  `{"title": "ok", "description": "` + strings.Repeat("d", 2001) + `"}`,
		"description a boolean": `{"title": "ok", "description": true}`,
		"done a string":         `{"title": "ok", "done": "yes"}`,
		"done null":             `{"title": "ok", "done": null}`,
		"NUL in title":          `{"title": "a\u0000b"}`,
		"NUL in description":    `{"title": "ok", "description": "\u0000"}`,
		"title in capitals":     `{"TITLE": "ok"}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			expectProblem(t, s.do("POST", "/api/v1/tasks", body, token), http.StatusUnprocessableEntity)
		})
	}
	// Blank is every Unicode White_Space character and U+001C..U+001F (what
	// the contract's \s matches), alone or repeated.
	for _, space := range []rune{'\t', '\n', '\v', '\f', '\r', ' ', 0x1C, 0x1F, 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000} {
		body := map[string]any{"title": strings.Repeat(string(space), 3)}
		expectProblem(t, s.do("POST", "/api/v1/tasks", body, token), http.StatusUnprocessableEntity)
	}
	// Over 200 characters as sent is refused even when trimming would fit.
	expectProblem(t, s.do("POST", "/api/v1/tasks", map[string]any{"title": " " + strings.Repeat("t", 200)}, token), http.StatusUnprocessableEntity)
	// Other characters, even invisible ones, are text.
	resp := s.do("POST", "/api/v1/tasks", map[string]any{"title": "\u200b\x1c\u0007 "}, token)
	expectStatus(t, resp, http.StatusCreated)
	if got := resp.JSON(t)["title"]; got != "\u200b\x1c\u0007" {
		t.Errorf("title %q, want it trimmed of the blank end only", got)
	}
	// The limits themselves are accepted (characters, not bytes).
	ok := map[string]any{"title": strings.Repeat("é", 200), "description": strings.Repeat("d", 2000)}
	expectStatus(t, s.do("POST", "/api/v1/tasks", ok, token), http.StatusCreated)
}

func TestGetTask(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	id := s.createTask(token, "Read")
	resp := s.do("GET", taskPath(id), nil, token)
	expectStatus(t, resp, http.StatusOK)
	if resp.JSON(t)["title"] != "Read" {
		t.Errorf("unexpected task: %s", resp.Body)
	}
}

func TestMissingOrMalformedTaskIdsAre404(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	for _, path := range []string{"/api/v1/tasks/999999", "/api/v1/tasks/abc", "/api/v1/tasks/0", "/api/v1/tasks/-1", "/api/v1/tasks/1.5", "/api/v1/tasks/99999999999999999999"} {
		expectProblem(t, s.do("GET", path, nil, token), http.StatusNotFound)
		expectProblem(t, s.do("PATCH", path, `{"done": true}`, token), http.StatusNotFound)
		expectProblem(t, s.do("DELETE", path, nil, token), http.StatusNotFound)
	}
}

func TestUsersCannotSeeOrTouchEachOthersTasks(t *testing.T) {
	s := newTestServer(t)
	alice := s.userToken("alice@example.com")
	bob := s.userToken("bob@example.com")
	id := s.createTask(alice, "Alice's secret")

	expectProblem(t, s.do("GET", taskPath(id), nil, bob), http.StatusNotFound)
	expectProblem(t, s.do("PATCH", taskPath(id), `{"title": "mine now"}`, bob), http.StatusNotFound)
	expectProblem(t, s.do("DELETE", taskPath(id), nil, bob), http.StatusNotFound)

	list := s.do("GET", "/api/v1/tasks", nil, bob).JSON(t)
	if list["total"] != float64(0) || len(list["items"].([]any)) != 0 {
		t.Errorf("bob sees alice's tasks: %v", list)
	}
	// Alice's task is untouched.
	if task := s.do("GET", taskPath(id), nil, alice).JSON(t); task["title"] != "Alice's secret" {
		t.Errorf("task changed: %v", task)
	}
}

func TestUpdateTaskChangesOnlyWhatIsSent(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	created := s.do("POST", "/api/v1/tasks", map[string]any{"title": "Draft", "description": "first"}, token).JSON(t)
	id := int64(created["id"].(float64))
	time.Sleep(5 * time.Millisecond) // let the clock move for updated_at

	resp := s.do("PATCH", taskPath(id), `{"done": true}`, token)
	expectStatus(t, resp, http.StatusOK)
	task := resp.JSON(t)
	if task["done"] != true || task["title"] != "Draft" || task["description"] != "first" {
		t.Errorf("unexpected task: %s", resp.Body)
	}
	if task["updated_at"] == created["updated_at"] || task["created_at"] != created["created_at"] {
		t.Errorf("updated_at should move and created_at stay: %v -> %v", created, task)
	}

	task = s.do("PATCH", taskPath(id), `{"description": null, "title": "Final"}`, token).JSON(t)
	if task["description"] != nil || task["title"] != "Final" {
		t.Errorf("description should be cleared and title set: %v", task)
	}

	before := task["updated_at"]
	resp = s.do("PATCH", taskPath(id), `{}`, token)
	expectStatus(t, resp, http.StatusOK)
	if after := resp.JSON(t)["updated_at"]; after != before {
		t.Errorf("an empty PATCH changed updated_at: %v -> %v", before, after)
	}
	if got := s.do("GET", taskPath(id), nil, token).JSON(t); got["title"] != "Final" || got["done"] != true {
		t.Errorf("changes not stored: %v", got)
	}
}

func TestUpdateTaskValidates(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	id := s.createTask(token, "Draft")
	for _, body := range []string{
		`{"title": null}`, `{"title": ""}`, `{"title": 7}`, `{"done": "yes"}`, `{"done": null}`,
		`{"title": "x\u0000"}`, `{"description": "\u0000"}`,
		`{"description": ` + `"` + strings.Repeat("d", 2001) + `"}`,
	} {
		expectProblem(t, s.do("PATCH", taskPath(id), body, token), http.StatusUnprocessableEntity)
	}
	if got := s.do("GET", taskPath(id), nil, token).JSON(t); got["title"] != "Draft" {
		t.Errorf("a refused PATCH changed the task: %v", got)
	}
}

func TestDeleteTask(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	id := s.createTask(token, "Temporary")
	resp := s.do("DELETE", taskPath(id), nil, token)
	expectStatus(t, resp, http.StatusNoContent)
	if len(resp.Body) != 0 {
		t.Errorf("204 with a body: %q", resp.Body)
	}
	expectProblem(t, s.do("GET", taskPath(id), nil, token), http.StatusNotFound)
	expectProblem(t, s.do("DELETE", taskPath(id), nil, token), http.StatusNotFound)
}

func TestListTasksPaginatesOldestFirst(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	var ids []int64
	for _, title := range []string{"one", "two", "three", "four", "five"} {
		ids = append(ids, s.createTask(token, title))
	}

	page := s.do("GET", "/api/v1/tasks", nil, token).JSON(t)
	if page["total"] != float64(5) || page["limit"] != float64(20) || page["offset"] != float64(0) || len(page["items"].([]any)) != 5 {
		t.Errorf("default page: %v", page)
	}

	resp := s.do("GET", "/api/v1/tasks?limit=2&offset=2", nil, token)
	expectStatus(t, resp, http.StatusOK)
	page = resp.JSON(t)
	items := page["items"].([]any)
	if page["total"] != float64(5) || page["limit"] != float64(2) || page["offset"] != float64(2) || len(items) != 2 {
		t.Fatalf("page 2: %s", resp.Body)
	}
	for i, item := range items {
		if got := int64(item.(map[string]any)["id"].(float64)); got != ids[2+i] {
			t.Errorf("item %d has id %d, want %d", i, got, ids[2+i])
		}
	}

	page = s.do("GET", "/api/v1/tasks?offset=10", nil, token).JSON(t)
	if page["total"] != float64(5) || len(page["items"].([]any)) != 0 {
		t.Errorf("past the end: %v", page)
	}
}

func TestListTasksRejectsBadPagination(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	for _, query := range []string{
		"limit=0", "limit=101", "limit=abc", "limit=", "offset=-1", "offset=x", "limit=2.5",
		// Beyond any integer type: 422, never 500.
		"offset=9223372036854775808", "offset=1e400", "limit=9223372036854775808", "limit=1e400",
		"offset=-9223372036854775809", "offset=99999999999999999999999999999999",
		"offset=9223372036854775807", "offset=2147483648",
	} {
		expectProblem(t, s.do("GET", "/api/v1/tasks?"+query, nil, token), http.StatusUnprocessableEntity)
	}
	// The largest offset the contract allows (2^31 - 1): an empty page.
	resp := s.do("GET", "/api/v1/tasks?offset=2147483647", nil, token)
	expectStatus(t, resp, http.StatusOK)
	if items := resp.JSON(t)["items"].([]any); len(items) != 0 {
		t.Errorf("items past the end: %v", items)
	}
	expectStatus(t, s.do("GET", "/api/v1/tasks?limit=100&offset=0", nil, token), http.StatusOK)
	expectStatus(t, s.do("GET", "/api/v1/tasks?limit=1", nil, token), http.StatusOK)
}

func TestTaskBodiesMatchKeysExactly(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	// encoding/json alone would let "DONE" fill done.
	resp := s.do("POST", "/api/v1/tasks", `{"title": "Exact", "DONE": true, "Description": "x"}`, token)
	expectStatus(t, resp, http.StatusCreated)
	if task := resp.JSON(t); task["done"] != false || task["description"] != nil {
		t.Errorf("keys in another letter case were used: %s", resp.Body)
	}
}

func TestTaskBodiesMustBeJSON(t *testing.T) {
	s := newTestServer(t)
	token := s.userToken("ada@example.com")
	id := s.createTask(token, "Typed")
	for _, contentType := range []string{"text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x", "", "application/json;;;"} {
		t.Run(contentType, func(t *testing.T) {
			expectProblem(t, s.do("POST", "/api/v1/tasks", `{"title": "x"}`, token, "Content-Type", contentType), http.StatusUnsupportedMediaType)
			expectProblem(t, s.do("PATCH", taskPath(id), `{"done": true}`, token, "Content-Type", contentType), http.StatusUnsupportedMediaType)
		})
	}
	// JSON with parameters, and structured +json types, are JSON.
	expectStatus(t, s.do("POST", "/api/v1/tasks", `{"title": "x"}`, token, "Content-Type", "application/json; charset=utf-8"), http.StatusCreated)
	expectStatus(t, s.do("PATCH", taskPath(id), `{"done": true}`, token, "Content-Type", "application/merge-patch+json"), http.StatusOK)
}

func TestTaskRoutesRequireAToken(t *testing.T) {
	s := newTestServer(t)
	for _, req := range [][2]string{
		{"GET", "/api/v1/tasks"}, {"POST", "/api/v1/tasks"}, {"GET", "/api/v1/tasks/1"},
		{"PATCH", "/api/v1/tasks/1"}, {"DELETE", "/api/v1/tasks/1"},
	} {
		expectUnauthorized(t, s.do(req[0], req[1], `{"title": "x"}`, ""))
	}
}
