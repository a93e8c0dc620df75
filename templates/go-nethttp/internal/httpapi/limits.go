package httpapi

import (
	"net"
	"net/http"
	"strconv"
	"time"
)

// limitPerClientIP counts every request to next against the client's IP
// (IPLimiter; nil turns the limit off) and answers 429 once the IP has used
// up its window.
func (a *api) limitPerClientIP(next http.HandlerFunc) http.HandlerFunc {
	if a.IPLimiter == nil {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if _, wait, ok := a.IPLimiter.Take(clientIP(r)); !ok {
			tooManyRequests(w, r, wait, "Too many authentication requests from this address; try again later.")
			return
		}
		next(w, r)
	}
}

// clientIP is the address of the socket peer. X-Forwarded-For and similar
// headers are deliberately ignored: any client can send them, so trusting
// them would let an attacker pick a fresh "IP" for every request. Behind a
// reverse proxy, every client shares the proxy's address; make the proxy
// rate-limit, or replace this with the proxy's own trusted header.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tooManyRequests answers 429 with Retry-After in whole seconds (>= 1).
func tooManyRequests(w http.ResponseWriter, r *http.Request, wait time.Duration, detail string) {
	w.Header().Set("Retry-After", strconv.Itoa(max(int(wait.Seconds()), 1)))
	writeProblem(w, r, http.StatusTooManyRequests, detail)
}
