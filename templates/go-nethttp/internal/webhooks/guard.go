package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// refusedPrefixes are the addresses no delivery may reach: this host, the
// private networks, link-local (with the cloud metadata service at
// 169.254.169.254), shared, benchmarking, multicast and reserved ranges.
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/128"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("ff00::/8"),
}

// nat64 embeds an IPv4 address in its last 32 bits (RFC 6052).
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// Refused reports whether a delivery to addr is forbidden. allowLoopback
// lets 127.0.0.0/8 and ::1 through (WEBHOOK_ALLOW_LOOPBACK, never in
// production). IPv4-mapped and NAT64 addresses are judged by the IPv4
// address they carry, so ::ffff:127.0.0.1 is loopback too.
func Refused(addr netip.Addr, allowLoopback bool) bool {
	addr = addr.WithZone("")
	if addr.Is4In6() {
		addr = addr.Unmap()
	} else if nat64.Contains(addr) {
		b := addr.As16()
		addr = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	if allowLoopback && addr.IsLoopback() {
		return false
	}
	for _, p := range refusedPrefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// RefusedError is a host that resolves to a forbidden address.
type RefusedError struct {
	Host string
	Addr netip.Addr
}

// Error says which address was refused, for the delivery's last_error.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused address %s (for host %s): loopback, private, link-local or metadata addresses are not delivered to", e.Addr, e.Host)
}

// Guard resolves delivery hosts and refuses forbidden addresses.
type Guard struct {
	AllowLoopback bool
	// Resolver looks names up (net.DefaultResolver when nil); tests swap it.
	Resolver interface {
		LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	}
}

// Resolve returns every address host stands for, after checking each one:
// if any is refused the whole host is, since the client could otherwise be
// steered to it. The caller dials only these addresses (pinning), so a
// second DNS answer cannot swap in another one between check and connect.
func (g Guard) Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	var addrs []netip.Addr
	if addr, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{addr}
	} else {
		var resolver = g.Resolver
		if resolver == nil {
			resolver = net.DefaultResolver
		}
		addrs, err = resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
	}
	if len(addrs) == 0 {
		return nil, errors.New("resolve " + host + ": no address")
	}
	for _, addr := range addrs {
		if Refused(addr, g.AllowLoopback) {
			return nil, &RefusedError{Host: host, Addr: addr}
		}
	}
	return addrs, nil
}
