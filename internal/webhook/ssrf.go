package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// A partner chooses its endpoint's URL, so a delivery is a request that a
// stranger aims. The rules that keep it off CloudRoute's own network:
//   - https only;
//   - every address a name resolves to is checked when the connection is
//     made, not when the URL is saved, so a name that later resolves inside
//     (DNS rebinding) is refused too; one internal address among several
//     refuses them all;
//   - the dialer checks the address it actually connects to once more;
//   - no redirect is followed, and no proxy from the environment is used.
// AllowInsecureLoopback relaxes the first two for local development and
// tests only: http, and loopback addresses. Private, link-local and
// metadata addresses stay refused.

// ErrForbiddenAddress is wrapped by every refusal to connect to an address
// deliveries may not reach.
var ErrForbiddenAddress = errors.New("webhook: address not allowed")

// ErrInvalidURL is wrapped by every refusal of an endpoint URL itself.
var ErrInvalidURL = errors.New("webhook: endpoint URL not allowed")

// AddressError is a refused address, with the reason.
type AddressError struct {
	// Host is the name that resolved to Addr; empty for an IP address.
	Host   string
	Addr   netip.Addr
	Reason string
}

func (e *AddressError) Error() string {
	if e.Host != "" {
		return fmt.Sprintf("webhook: %s resolves to %s, which is %s; deliveries may not reach it", e.Host, e.Addr, e.Reason)
	}
	return fmt.Sprintf("webhook: %s is %s; deliveries may not reach it", e.Addr, e.Reason)
}

// Is makes errors.Is(err, ErrForbiddenAddress) hold.
func (e *AddressError) Is(target error) bool { return target == ErrForbiddenAddress }

// blockedV4 are the IPv4 ranges that are not a public internet host.
var blockedV4 = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified (this-network) address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared (carrier-grade NAT) address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (cloud metadata lives there)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
	{netip.MustParsePrefix("192.88.99.0/24"), "a reserved address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved or broadcast address"},
}

// IPv6: only global unicast (2000::/3) may be reached, less the ranges
// below, plus NAT64 (64:ff9b::/96) when the IPv4 address inside is public.
var (
	globalUnicastV6 = netip.MustParsePrefix("2000::/3")
	nat64           = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour       = netip.MustParsePrefix("2002::/16")
	blockedV6       = []struct {
		prefix netip.Prefix
		reason string
	}{
		{netip.MustParsePrefix("2001::/23"), "a reserved address (Teredo and IETF assignments)"},
		{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
		{netip.MustParsePrefix("3fff::/20"), "a documentation address"},
	}
)

// addressReason returns why a delivery may not connect to a, or "" when it
// may. allowLoopback lets loopback through (AllowInsecureLoopback).
func addressReason(a netip.Addr, allowLoopback bool) string {
	a = a.WithZone("")
	if a.Is4In6() {
		// ::ffff:10.0.0.1 reaches 10.0.0.1.
		a = a.Unmap()
	}
	if a.IsLoopback() {
		if allowLoopback {
			return ""
		}
		return "a loopback address"
	}
	if a.Is4() {
		for _, b := range blockedV4 {
			if b.prefix.Contains(a) {
				return b.reason
			}
		}
		return ""
	}
	switch {
	case a.IsUnspecified():
		return "an unspecified address"
	case a.IsLinkLocalUnicast():
		return "a link-local address"
	case a.IsMulticast():
		return "a multicast address"
	case a.IsPrivate():
		return "a unique local (private) address"
	case nat64.Contains(a):
		// A NAT64 gateway forwards to the IPv4 address in the low 32 bits.
		b := a.As16()
		if r := addressReason(netip.AddrFrom4([4]byte(b[12:16])), false); r != "" {
			return r + " behind NAT64"
		}
		return ""
	case !globalUnicastV6.Contains(a):
		return "not a global unicast address"
	case sixToFour.Contains(a):
		// 6to4 carries an IPv4 address in bits 16 to 47.
		b := a.As16()
		if r := addressReason(netip.AddrFrom4([4]byte(b[2:6])), false); r != "" {
			return r + " behind 6to4"
		}
		return ""
	}
	for _, b := range blockedV6 {
		if b.prefix.Contains(a) {
			return b.reason
		}
	}
	return ""
}

// CheckAddress returns an *AddressError when a delivery may not connect to
// a, nil otherwise.
func CheckAddress(a netip.Addr, allowLoopback bool) error {
	if r := addressReason(a, allowLoopback); r != "" {
		return &AddressError{Addr: a, Reason: r}
	}
	return nil
}

// CheckURL checks an endpoint URL before it is saved, and before each
// delivery: absolute, https (or http with allowInsecureLoopback), a host,
// no user info (a password in a URL ends up in logs), and when the host is
// an IP address, an allowed one. A name is checked when it is resolved, at
// connect time. Errors wrap ErrInvalidURL or ErrForbiddenAddress and never
// repeat the URL, whose query may hold a token.
func CheckURL(raw string, allowInsecureLoopback bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: not a URL", ErrInvalidURL)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowInsecureLoopback:
	case u.Scheme == "http":
		return fmt.Errorf("%w: http is not allowed; use https", ErrInvalidURL)
	default:
		return fmt.Errorf("%w: scheme %q; use https", ErrInvalidURL, u.Scheme)
	}
	if u.User != nil {
		return fmt.Errorf("%w: user info in the URL; use the signature to authenticate", ErrInvalidURL)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%w: no host", ErrInvalidURL)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return CheckAddress(a, allowInsecureLoopback)
	}
	if strings.Contains(host, "%") {
		return fmt.Errorf("%w: malformed host", ErrInvalidURL)
	}
	return nil
}

// Resolver looks up a name's addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// guardedDialer connects only to allowed addresses.
type guardedDialer struct {
	resolver      Resolver
	allowLoopback bool
	dialer        net.Dialer
}

func newGuardedDialer(r Resolver, allowLoopback bool) *guardedDialer {
	g := &guardedDialer{resolver: r, allowLoopback: allowLoopback}
	// The last line of defence: whatever path led here, the address the
	// socket is about to connect to is checked.
	g.dialer.Control = func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: unreadable address", ErrForbiddenAddress)
		}
		return CheckAddress(ap.Addr(), g.allowLoopback)
	}
	return g
}

// DialContext resolves host, refuses if any of its addresses is not
// allowed, and connects to the allowed ones in turn. It dials the checked
// IP addresses themselves, so nothing resolves the name a second time.
func (g *guardedDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
		host = ""
	} else {
		addrs, err = g.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("%s has no address", host)
		}
	}
	for i, a := range addrs {
		// The resolver may answer IPv4 in its IPv6-mapped form.
		addrs[i] = a.Unmap()
		if r := addressReason(addrs[i], g.allowLoopback); r != "" {
			return nil, &AddressError{Host: host, Addr: addrs[i], Reason: r}
		}
	}
	var errs []error
	for _, a := range addrs {
		conn, err := g.dialer.DialContext(ctx, network, net.JoinHostPort(a.WithZone("").String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}
