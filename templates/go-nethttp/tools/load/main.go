// Command load puts a short, realistic load on a running server: each
// client registers its own user, then loops create, list, get, complete and
// delete until the time is up. It prints requests per second, latency
// percentiles and the status codes seen; it exits 1 if any answer was a 5xx
// or a transport error.
//
//	go run ./tools/load -url http://127.0.0.1:8080 -duration 30s -concurrency 8
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the server's base URL")
	duration := flag.Duration("duration", 30*time.Second, "how long to run")
	concurrency := flag.Int("concurrency", 8, "parallel clients")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	stats := &results{statuses: map[string]int{}}
	var wg sync.WaitGroup
	started := time.Now()
	for i := range *concurrency {
		wg.Go(func() { client{base: *base, stats: stats}.run(ctx, i, started.UnixNano()) })
	}
	wg.Wait()
	if stats.report(os.Stdout, time.Since(started)) {
		os.Exit(1)
	}
}

// results gathers every request's latency and status.
type results struct {
	mu        sync.Mutex
	latencies []time.Duration
	statuses  map[string]int
	failed    bool
}

func (r *results) add(route string, status int, elapsed time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies = append(r.latencies, elapsed)
	key := route + " " + strconv.Itoa(status)
	if err != nil {
		key, r.failed = route+" error", true
	}
	if status >= 500 {
		r.failed = true
	}
	r.statuses[key]++
}

// report prints the summary and says whether anything failed.
func (r *results) report(w io.Writer, elapsed time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.Sort(r.latencies)
	at := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[int(p*float64(len(r.latencies)-1))]
	}
	_, _ = fmt.Fprintf(w, "%d requests in %v: %.1f/s; latency p50 %v, p95 %v, p99 %v\n",
		len(r.latencies), elapsed.Round(time.Millisecond), float64(len(r.latencies))/elapsed.Seconds(),
		at(.50).Round(time.Microsecond), at(.95).Round(time.Microsecond), at(.99).Round(time.Microsecond))
	keys := make([]string, 0, len(r.statuses))
	for k := range r.statuses {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		_, _ = fmt.Fprintf(w, "  %-32s %d\n", k, r.statuses[k])
	}
	return r.failed
}

type client struct {
	base  string
	token string
	stats *results
	http  http.Client
}

func (c client) run(ctx context.Context, n int, seed int64) {
	c.http.Timeout = 10 * time.Second
	creds := map[string]string{"email": fmt.Sprintf("load-%d-%d@example.com", seed, n), "password": "load test password"}
	c.do(ctx, "POST", "/api/v1/auth/register", creds, nil)
	var login struct {
		AccessToken string `json:"access_token"`
	}
	c.do(ctx, "POST", "/api/v1/auth/login", creds, &login)
	c.token = login.AccessToken
	if c.token == "" {
		return // the login failed; it is counted in the statuses
	}
	for ctx.Err() == nil {
		var t struct {
			ID int64 `json:"id"`
		}
		c.do(ctx, "POST", "/api/v1/tasks", map[string]string{"title": "load"}, &t)
		if t.ID == 0 {
			continue
		}
		path := "/api/v1/tasks/" + strconv.FormatInt(t.ID, 10)
		c.do(ctx, "GET", "/api/v1/tasks?limit=20", nil, nil)
		c.do(ctx, "GET", path, nil, nil)
		c.do(ctx, "PATCH", path, map[string]bool{"done": true}, nil)
		c.do(ctx, "DELETE", path, nil, nil)
	}
}

func (c client) do(ctx context.Context, method, path string, body, out any) {
	var reader io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, reader)
	if err != nil {
		return
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	route := method + " " + routeOf(path)
	start := time.Now()
	resp, err := c.http.Do(req)
	if ctx.Err() != nil {
		return // the run ended mid-request: not a failure
	}
	if err != nil {
		c.stats.add(route, 0, time.Since(start), err)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	c.stats.add(route, resp.StatusCode, time.Since(start), nil)
	if out != nil && resp.StatusCode < 300 {
		_ = json.Unmarshal(data, out)
	}
}

// routeOf groups paths like the server's metrics do: ids become {id}.
func routeOf(path string) string {
	if p, _, found := bytes.Cut([]byte(path), []byte("?")); found {
		path = string(p)
	}
	if len(path) > len("/api/v1/tasks/") && path[:len("/api/v1/tasks/")] == "/api/v1/tasks/" {
		return "/api/v1/tasks/{id}"
	}
	return path
}
