package intake

import (
	"net/netip"
	"strings"

	"github.com/cloudroute/cloudroute/internal/domain"
)

const (
	maxWebsiteLen = 2048
	maxDomainLen  = 253
	maxLabelLen   = 63
)

// reservedTLDs are suffixes that never name a public company: loopback,
// private-network and special-use names (RFC 6761, RFC 6762, RFC 8375,
// RFC 7686) and the names ICANN will not delegate because of intranet
// collisions. ".test" and ".example" are deliberately accepted, so that
// demo data and other packages' tests can use them.
var reservedTLDs = []string{
	"localhost", "localdomain", "local", "internal", "intranet", "private",
	"lan", "home", "corp", "invalid", "arpa", "onion",
}

// NormalizeDomain returns the customer identity of a website: its domain in
// lower case, without scheme, "www.", port, path, query, fragment or
// trailing dot. Two intakes with the same result are the same customer
// (SPEC §3, one partner per customer).
//
// It accepts a bare domain ("example.com", "example.com:8443/x") or an
// http or https URL. It refuses other schemes, user info, IP addresses,
// single-label and special-use names, and anything not plain ASCII:
// an internationalised domain must be sent in its punycode (xn--) form.
// A refusal is a *domain.Error with code validation_failed naming the field
// "website".
func NormalizeDomain(website string) (string, error) {
	d, reason := normalizeDomain(website)
	if reason != "" {
		var p domain.Problems
		p.Add("website", "%s", reason)
		return "", p.Err(domain.ECodeValidation, "the website is not a usable domain")
	}
	return d, nil
}

// normalizeDomain returns the domain, or the reason it has none.
func normalizeDomain(website string) (string, string) {
	s := strings.TrimSpace(website)
	if s == "" {
		return "", "is required"
	}
	if len(s) > maxWebsiteLen {
		return "", "must be at most 2048 characters"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return "", "must be ASCII; send an internationalised domain in its punycode (xn--) form"
		}
		if c <= ' ' || c == 0x7f {
			return "", "must not contain spaces or control characters"
		}
	}
	s = strings.ToLower(s)

	if i := strings.Index(s, "://"); i >= 0 {
		switch s[:i] {
		case "http", "https":
			s = s[i+3:]
		default:
			return "", "must be a domain or an http or https address"
		}
	}
	// Browsers treat '\' as '/' in http URLs, so it ends the host too.
	host := s
	if i := strings.IndexAny(host, "/?#\\"); i >= 0 {
		host = host[:i]
	}
	if host == "" {
		return "", "must name a domain, such as example.com"
	}
	if strings.ContainsRune(host, '@') {
		return "", "must not contain a user name or password"
	}
	if host[0] == '[' || strings.Count(host, ":") > 1 {
		return "", "must be a domain name, not an IP address"
	}
	if i := strings.IndexByte(host, ':'); i >= 0 {
		if !validPort(host[i+1:]) {
			// "javascript:alert(1)" and "mailto:a@b.c" end up here: what
			// follows the colon is not a port, so the colon was a scheme.
			return "", "must be a domain or an http or https address"
		}
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	if _, err := netip.ParseAddr(host); err == nil {
		return "", "must be a domain name, not an IP address"
	}
	// Strip "www." as long as a dotted name remains, so that "www.com" is
	// kept whole and the result is stable when normalised again.
	for strings.HasPrefix(host, "www.") && strings.Contains(host[4:], ".") {
		host = host[4:]
	}
	if len(host) > maxDomainLen {
		return "", "must be a domain name of at most 253 characters"
	}
	if !strings.Contains(host, ".") {
		return "", "must be a full domain name, such as example.com"
	}
	tld := host[strings.LastIndexByte(host, '.')+1:]
	for label := range strings.SplitSeq(host, ".") {
		if reason := checkLabel(label); reason != "" {
			return "", reason
		}
	}
	if allDigits(tld) {
		// Covers the short IPv4 forms netip refuses ("127.1", "10.0.1").
		return "", "must be a domain name, not an IP address"
	}
	for _, r := range reservedTLDs {
		if tld == r {
			return "", "must be a public domain name, not a local or reserved one"
		}
	}
	return host, ""
}

func checkLabel(label string) string {
	if label == "" {
		return "must not contain an empty label (\"..\")"
	}
	if len(label) > maxLabelLen {
		return "must not contain a label longer than 63 characters"
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return "must not contain a label that starts or ends with '-'"
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return "may contain only letters, digits, '-' and '.' in the domain"
		}
	}
	return ""
}

// validPort accepts an empty port ("example.com:") as URLs do, or a decimal
// 1..65535.
func validPort(p string) bool {
	if p == "" {
		return true
	}
	if len(p) > 5 || !allDigits(p) {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		n = n*10 + int(p[i]-'0')
	}
	return n >= 1 && n <= 65535
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
