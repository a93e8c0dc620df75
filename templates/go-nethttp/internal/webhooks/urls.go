package webhooks

import (
	"errors"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// maxURLLength is the longest endpoint URL accepted, in characters.
const maxURLLength = 2048

// urlPattern is openapi.yaml's: an absolute http(s) URL with a DNS name or
// an IPv4 address, an optional port 1..65535, path and query; no user info,
// no fragment, no IPv6 literal. Go's regexp runs in linear time, so a long
// hostile URL costs nothing.
var urlPattern = regexp.MustCompile(`^https?://[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?(/([A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*)?(\?([A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$`)

// Why an endpoint URL is refused when it is saved.
var (
	ErrBadURL     = errors.New("must be an absolute http or https URL of at most 2048 characters, without user info or fragment")
	ErrPrivateURL = errors.New("must not name localhost or a loopback, private, link-local or metadata address")
)

// CheckURL validates an endpoint URL when it is saved. In production a host
// that is obviously internal (localhost, *.localhost, a refused IPv4
// literal) is refused at once; every delivery still re-checks what the name
// resolves to, since DNS can change after this check.
func CheckURL(raw string, production bool) error {
	if len(raw) > maxURLLength || !urlPattern.MatchString(raw) {
		return ErrBadURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ErrBadURL
	}
	if !production {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return ErrPrivateURL
	}
	if addr, err := netip.ParseAddr(host); err == nil && Refused(addr, false) {
		return ErrPrivateURL
	}
	return nil
}
