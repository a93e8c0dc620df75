package webhooks

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"
)

func TestRefusedCoversTheContractsRanges(t *testing.T) {
	for _, addr := range []string{
		"0.0.0.0", "10.0.0.1", "100.64.0.1", "127.0.0.1", "127.255.255.254", "169.254.169.254",
		"172.16.0.1", "172.31.255.255", "192.0.0.8", "192.168.1.1", "198.18.0.1", "224.0.0.1",
		"240.0.0.1", "255.255.255.255", "::", "::1", "fc00::1", "fd12::1", "fe80::1", "ff02::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1",
	} {
		if !Refused(netip.MustParseAddr(addr), false) {
			t.Errorf("%s is not refused", addr)
		}
	}
	for _, addr := range []string{"93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "64:ff9b::808:808", "::ffff:8.8.8.8"} {
		if Refused(netip.MustParseAddr(addr), false) {
			t.Errorf("%s is refused", addr)
		}
	}
}

func TestAllowLoopbackLiftsOnlyLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1", "::1", "::ffff:127.0.0.1"} {
		if Refused(netip.MustParseAddr(addr), true) {
			t.Errorf("%s refused despite AllowLoopback", addr)
		}
	}
	for _, addr := range []string{"10.0.0.1", "169.254.169.254", "192.168.0.1", "fe80::1"} {
		if !Refused(netip.MustParseAddr(addr), true) {
			t.Errorf("%s allowed by AllowLoopback", addr)
		}
	}
}

// fakeResolver answers from a table.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if addrs, ok := f[host]; ok {
		return addrs, nil
	}
	return nil, errors.New("no such host")
}

func TestResolveRefusesAHostWithAnyForbiddenAddress(t *testing.T) {
	g := Guard{Resolver: fakeResolver{
		"public.example":  {netip.MustParseAddr("93.184.215.14")},
		"rebind.example":  {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("169.254.169.254")},
		"private.example": {netip.MustParseAddr("10.1.2.3")},
	}}
	ctx := context.Background()
	if addrs, err := g.Resolve(ctx, "public.example"); err != nil || len(addrs) != 1 {
		t.Errorf("public host: %v %v", addrs, err)
	}
	for _, host := range []string{"rebind.example", "private.example", "127.0.0.1", "10.0.0.1", "169.254.169.254"} {
		var refused *RefusedError
		if _, err := g.Resolve(ctx, host); !errors.As(err, &refused) {
			t.Errorf("%s: error %v, want a RefusedError", host, err)
		}
	}
}

func TestResolveRefusesLocalhostThroughRealDNS(t *testing.T) {
	// The system resolver: localhost is loopback (RFC 6761) on every host.
	var refused *RefusedError
	if _, err := (Guard{}).Resolve(context.Background(), "localhost"); !errors.As(err, &refused) {
		t.Errorf("localhost: error %v, want a RefusedError", err)
	}
	if _, err := (Guard{AllowLoopback: true}).Resolve(context.Background(), "localhost"); err != nil {
		t.Errorf("localhost with AllowLoopback: %v", err)
	}
}

func TestCheckURLInProduction(t *testing.T) {
	for _, raw := range []string{"http://localhost:8080/x", "https://api.localhost/", "http://127.0.0.1/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data"} {
		if err := CheckURL(raw, true); !errors.Is(err, ErrPrivateURL) {
			t.Errorf("production %s: %v, want ErrPrivateURL", raw, err)
		}
		if err := CheckURL(raw, false); err != nil {
			t.Errorf("development %s: %v", raw, err)
		}
	}
	for _, raw := range []string{"ftp://example.com/", "http://user:pw@example.com/", "http://example.com/#frag", "http://[::1]/", "example.com", "http://example.com:0/", "http://example.com:65536/", "http://exa mple.com/"} {
		if err := CheckURL(raw, false); !errors.Is(err, ErrBadURL) {
			t.Errorf("%s: %v, want ErrBadURL", raw, err)
		}
	}
	if err := CheckURL("https://hooks.example.com:8443/tasks?x=1", true); err != nil {
		t.Errorf("a public URL was refused: %v", err)
	}
}

func TestBackoffDoublesWithJitterUpToTheCeiling(t *testing.T) {
	base, ceiling := 100*time.Millisecond, time.Second
	for n, full := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 80: time.Second} {
		for range 50 {
			if d := Backoff(n, base, ceiling); d < full/2 || d > full {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", n, d, full/2, full)
			}
		}
	}
}
