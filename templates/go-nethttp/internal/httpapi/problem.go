package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// problem is an RFC 9457 problem details body.
type problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail"`
	Instance string       `json:"instance,omitempty"`
	Errors   []fieldError `json:"errors,omitempty"`
}

// fieldError names one invalid input field in a 422.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// writeProblem answers with application/problem+json. detail is shown to the
// client: never put an internal error, SQL or a stack trace in it.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, detail string, errs ...fieldError) {
	if status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	body := problem{
		Type:     "about:blank",
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   detail,
		Instance: instancePath(r),
		Errors:   errs,
	}
	writeJSONAs(w, status, "application/problem+json", body)
}

// instancePath is the request path as a valid URI reference: every segment
// percent-encoded, so a path with spaces, brackets or raw bytes never makes
// the problem's `instance` invalid, and the client's raw text is not echoed.
func instancePath(r *http.Request) string {
	segments := strings.Split(r.URL.Path, "/")
	for i, segment := range segments {
		segments[i] = url.PathEscape(segment)
	}
	return strings.Join(segments, "/")
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	writeJSONAs(w, status, "application/json", body)
}

func writeJSONAs(w http.ResponseWriter, status int, contentType string, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		status, contentType = http.StatusInternalServerError, "application/problem+json"
		data = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"The server could not encode its answer."}`)
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

// serverError logs err with the request id and answers a bare 500.
func (a *api) serverError(w http.ResponseWriter, r *http.Request, err error) {
	a.Logger.ErrorContext(r.Context(), "request failed", "request_id", requestID(r.Context()), "error", err.Error())
	writeProblem(w, r, http.StatusInternalServerError, "An unexpected error occurred; it has been logged.")
}
