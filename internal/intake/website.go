package intake

import (
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

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

// idnaProfile turns an internationalised host into its ASCII (punycode)
// form the way browsers resolve it (UTS #46 non-transitional mapping, so
// "straße" stays distinct from "strasse"; case folded; full-width forms and
// the ideographic full stop mapped), with the STD3 rules so that only
// letters, digits and hyphens remain. Hyphen placement is left to
// checkLabel: "ab--cd.com" is an ordinary ASCII host.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.CheckJoiners(true),
	idna.Transitional(false),
	idna.CheckHyphens(false),
)

// NormalizeDomain returns the customer identity of a website: its
// registrable domain, the public suffix plus one label (eTLD+1 by the
// Public Suffix List), in lower-case ASCII, without scheme, port, path,
// query, fragment, trailing dot or subdomains. "https://app.example.co.uk/x"
// is "example.co.uk"; "acme.herokuapp.com" stays itself, because
// herokuapp.com is a suffix shared by many customers (the list's private
// section counts as well as ICANN's). Two intakes with the same result are
// the same customer (SPEC §3, one partner per customer).
//
// It accepts a bare domain ("example.com", "example.com:8443/x") or an
// http or https URL. An internationalised domain may be sent in Unicode or
// in punycode; both give the punycode (xn--) form. It refuses other
// schemes, user info, IP addresses, single-label and special-use names,
// and a public suffix on its own ("co.uk", "herokuapp.com"). A refusal is
// a *domain.Error with code validation_failed naming the field "website".
func NormalizeDomain(website string) (string, error) {
	d, reason := normalizeDomain(website)
	if reason != "" {
		var p domain.FieldCheck
		p.Add("website", "%s", reason)
		return "", p.Err(domain.ECodeValidation, "the website is not a usable domain")
	}
	return d, nil
}

// normalizeDomain returns the registrable domain, or the reason it has none.
func normalizeDomain(website string) (string, string) {
	host, reason := websiteHost(website)
	if reason != "" {
		return "", reason
	}
	reg, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		// websiteHost has refused empty labels, so the only failure left
		// is a host that is itself a public suffix.
		return "", "is a public suffix shared by many sites (such as co.uk or herokuapp.com); " +
			"give the company's own domain, such as example.co.uk or example.herokuapp.com"
	}
	return reg, ""
}

// websiteHost returns the full host name of a website, checked and in
// lower-case ASCII, or the reason it has none.
func websiteHost(website string) (string, string) {
	s := strings.TrimSpace(website)
	if s == "" {
		return "", "is required"
	}
	if len(s) > maxWebsiteLen {
		return "", "must be at most 2048 characters"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return "", "must not contain spaces or control characters"
		}
	}
	// Only ASCII is folded here: idnaProfile folds the rest of the host by
	// the IDNA rules, which differ from strings.ToLower for a few letters.
	s = strings.Map(asciiLower, s)

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
	if needsIDNA(host) {
		a, err := idnaProfile.ToASCII(host)
		if err != nil {
			return "", "is not a valid internationalised domain name"
		}
		host = a
	}
	host = strings.TrimSuffix(host, ".")
	if _, err := netip.ParseAddr(host); err == nil {
		return "", "must be a domain name, not an IP address"
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

// needsIDNA reports whether host is internationalised: non-ASCII, or
// holding a punycode label, which is checked to decode to a valid name so
// that one name has one spelling.
func needsIDNA(host string) bool {
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			return true
		}
	}
	return strings.HasPrefix(host, "xn--") || strings.Contains(host, ".xn--")
}

func asciiLower(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + ('a' - 'A')
	}
	return r
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
