package httpapi

import (
	"context"
	"net/http"
	"time"
)

func (a *api) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the database answers a query.
func (a *api) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var one int
	if err := a.DB.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		a.Logger.WarnContext(r.Context(), "readiness check failed", "request_id", requestID(r.Context()), "error", err.Error())
		writeProblem(w, r, http.StatusServiceUnavailable, "The database is unreachable.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (a *api) openapi(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(a.OpenAPIJSON)
}

// docsPage renders /openapi.json with Redoc's standalone bundle. It is
// loaded by the reader's browser from a CDN; the API itself needs no network.
// The version is pinned and the integrity hash (the sha384 of that file in
// the redoc npm package) makes the browser refuse a tampered copy.
const docsPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>API documentation</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
  <redoc spec-url="/openapi.json"></redoc>
  <script src="https://cdn.jsdelivr.net/npm/redoc@2.5.4/bundles/redoc.standalone.js"
    integrity="sha384-w447zOpYfw/1Tv/5AK9NfHTlQIqE3RVR6KY62jCyy9zNDgO64cMwGGP1Fj0zJVf5"
    crossorigin="anonymous"></script>
</body>
</html>
`

func (a *api) docs(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(docsPage))
}
