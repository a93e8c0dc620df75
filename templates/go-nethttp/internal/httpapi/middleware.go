package httpapi

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"
)

// unmatchedRoute is the route label of requests that matched no route, so a
// scan of random URLs cannot blow up the number of time series.
const unmatchedRoute = "unmatched"

type ctxKey int

const requestIDKey ctxKey = iota

// saneRequestID is what a client-sent X-Request-ID must look like to be
// echoed; anything else (too long, control characters...) is replaced.
var saneRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// withRequestID gives every request an id, echoed in X-Request-ID and
// written in its log line.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !saneRequestID.MatchString(id) {
			id = newUUID()
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (flush, deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe logs one JSON line per request and feeds the metrics.
func (a *api) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}

		route := routeOf(r)
		a.Metrics.Observe(methodLabel(r.Method), route, rec.status, elapsed)

		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		a.Logger.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", requestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", route),
			slog.Int("status", rec.status),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.Int("bytes", rec.bytes),
		)
	})
}

// routeOf turns the matched ServeMux pattern ("GET /api/v1/tasks/{id}") into
// the route label "/api/v1/tasks/{id}"; requests that matched nothing (404,
// 405) share the label "unmatched".
func routeOf(r *http.Request) string {
	if r.Pattern == "" {
		return unmatchedRoute
	}
	_, path, found := strings.Cut(r.Pattern, " ")
	if !found {
		return r.Pattern
	}
	return path
}

// methodLabel keeps made-up methods from creating new time series.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	default:
		return "OTHER"
	}
}

// recoverPanics turns a panic in a handler into a logged 500 problem.
func (a *api) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v) // the server aborts the response quietly on purpose
			}
			a.Logger.ErrorContext(r.Context(), "panic",
				"request_id", requestID(r.Context()), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			writeProblem(w, r, http.StatusInternalServerError, "An unexpected error occurred; it has been logged.")
		}()
		next.ServeHTTP(w, r)
	})
}

// problemsForMux makes the ServeMux's own 404 and 405 answers (plain text)
// problem+json, keeping the Allow header the mux sets on a 405.
func problemsForMux(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(&muxErrorWriter{ResponseWriter: w, r: r}, r)
	})
}

// muxErrorWriter replaces a 404/405 written by the mux with a problem body.
type muxErrorWriter struct {
	http.ResponseWriter
	r        *http.Request
	started  bool
	replaced bool
}

func (m *muxErrorWriter) WriteHeader(code int) {
	if m.started {
		return
	}
	m.started = true
	switch code {
	case http.StatusNotFound:
		m.replaced = true
		writeProblem(m.ResponseWriter, m.r, code, "No route matches this path.")
	case http.StatusMethodNotAllowed:
		m.replaced = true
		writeProblem(m.ResponseWriter, m.r, code, "This route does not support the "+m.r.Method+" method; see the Allow header.")
	default:
		m.ResponseWriter.WriteHeader(code)
	}
}

func (m *muxErrorWriter) Write(b []byte) (int, error) {
	if !m.started {
		m.WriteHeader(http.StatusOK)
	}
	if m.replaced {
		return len(b), nil // drop the mux's plain-text body
	}
	return m.ResponseWriter.Write(b)
}

func (m *muxErrorWriter) Unwrap() http.ResponseWriter { return m.ResponseWriter }
