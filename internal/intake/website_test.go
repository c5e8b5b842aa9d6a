package intake

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/publicsuffix"

	"github.com/cloudroute/cloudroute/internal/domain"
)

func TestNormalizeDomain(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		name string
		in   string
		want string // "" means refused
	}{
		{"bare domain", "example.com", "example.com"},
		{"https with www and path", "https://WWW.Example.com/about", "example.com"},
		{"https with default port and query", "https://WWW.Example.com:443/about?x=1", "example.com"},
		{"http with port, query and fragment", "http://Example.COM:8080/x?y#z", "example.com"},
		{"trailing dot", "example.com.", "example.com"},
		{"trailing dot and port", "http://example.com.:80/", "example.com"},
		{"multi-part public suffix", "sub.example.co.uk", "example.co.uk"},
		{"multi-part suffix with www and path", "www.example.co.uk/x", "example.co.uk"},
		{"multi-part suffix URL", "https://app.example.co.uk/x", "example.co.uk"},
		{"surrounding space", "  example.com  ", "example.com"},
		{"bare with path", "example.com/pricing", "example.com"},
		{"bare with port", "example.com:8443", "example.com"},
		{"query without path", "https://example.com?ref=x", "example.com"},
		{"fragment without path", "https://example.com#top", "example.com"},
		{"backslash ends the host", `https://example.com\@evil.com`, "example.com"},
		{"scheme in upper case", "HTTPS://EXAMPLE.COM", "example.com"},
		{"www twice", "www.www.example.com", "example.com"},
		{"www.com is kept", "www.com", "www.com"},
		{"www only as label prefix", "wwwexample.com", "wwwexample.com"},
		{"subdomain dropped", "app.example.com", "example.com"},
		{"subdomain URL", "https://app.example.com", "example.com"},
		{"deep subdomain", "a.b.c.example.com", "example.com"},
		{"www on a subdomain", "www.app.example.com", "example.com"},
		{"www on a multi-part suffix", "www.example.co.uk", "example.co.uk"},
		{"www as the registrable label", "www.co.uk", "www.co.uk"},
		{"private-section suffix", "acme.herokuapp.com", "acme.herokuapp.com"},
		{"private-section suffix, subdomain", "https://api.acme.herokuapp.com/v1", "acme.herokuapp.com"},
		{"private-section suffix, another app", "other.herokuapp.com", "other.herokuapp.com"},
		{"github pages", "docs.acme.github.io", "acme.github.io"},
		{"wildcard suffix rule", "www.city.kawasaki.jp", "city.kawasaki.jp"},
		{"suffix outside the list", "app.acme.test", "acme.test"},
		{"punycode", "xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"punycode in upper case", "https://XN--BCHER-KVA.example/", "xn--bcher-kva.example"},
		{"unicode", "bücher.example", "xn--bcher-kva.example"},
		{"unicode in upper case with www", "https://www.BÜCHER.example/über", "xn--bcher-kva.example"},
		{"unicode subdomain under punycode", "shop.xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"unicode public suffix", "münchen.公司.cn", "xn--mnchen-3ya.xn--55qx5d.cn"},
		{"sharp s is not ss", "straße.de", "xn--strae-oqa.de"},
		{"full-width letters", "ｅｘａｍｐｌｅ.com", "example.com"},
		{"ideographic full stop", "app。example。com", "example.com"},
		{"unicode trailing dot and port", "http://bücher.example.:8080/", "xn--bcher-kva.example"},
		{"mixed-script look-alike is its own domain", "exаmple.com", "xn--exmple-4nf.com"},
		{"ASCII host, non-ASCII path", "https://EXAMPLE.com/über", "example.com"},
		{"double hyphen in an ASCII label", "ab--cd.com", "ab--cd.com"},
		{"hyphen inside a label", "my-startup.io", "my-startup.io"},
		{"digits in labels", "123.example.com", "example.com"},
		{"digits as the registrable label", "123.com", "123.com"},
		{"63-character label", long63 + ".com", long63 + ".com"},
		{".test allowed for demos", "acme.test", "acme.test"},

		{"empty", "", ""},
		{"spaces only", "   ", ""},
		{"localhost", "localhost", ""},
		{"localhost with scheme and port", "http://localhost:3000", ""},
		{"localhost subdomain", "app.localhost", ""},
		{"mDNS local", "printer.local", ""},
		{"IPv4", "127.0.0.1", ""},
		{"IPv4 URL", "http://10.0.0.1/", ""},
		{"short IPv4", "127.1", ""},
		{"IPv6 loopback", "[::1]", ""},
		{"IPv6 URL", "http://[2001:db8::1]:8080/", ""},
		{"bare IPv6", "2001:db8::1", ""},
		{"single label", "intranet", ""},
		{"ftp scheme", "ftp://example.com", ""},
		{"javascript scheme", "javascript:alert(1)", ""},
		{"mailto", "mailto:ada@example.com", ""},
		{"data URL", "data:text/html,hi", ""},
		{"scheme without slashes", "http:example.com", ""},
		{"scheme-relative", "//example.com", ""},
		{"scheme and nothing else", "https://", ""},
		{"space inside", "exa mple.com", ""},
		{"tab inside", "example\t.com", ""},
		{"leading hyphen", "-bad.com", ""},
		{"trailing hyphen", "bad-.com", ""},
		{"bare public suffix", "co.uk", ""},
		{"bare public suffix URL", "https://CO.UK./about", ""},
		{"bare private-section suffix", "herokuapp.com", ""},
		{"bare private-section suffix URL", "https://herokuapp.com/", ""},
		{"bare wildcard suffix", "x.kawasaki.jp", ""},
		{"bare unicode suffix", "公司.cn", ""},
		{"invalid punycode", "xn--zz.com", ""},
		{"punycode of nothing", "xn--a.com", ""},
		{"unicode underscore", "bü_cher.example", ""},
		{"unicode space", "bü\u00a0cher.example", ""},
		{"zero-width joiner", "\u200dabc.com", ""},
		{"full-width IPv4", "１２７.０.０.１", ""},
		{"full-width slash is not a path", "example.com／x", ""},
		{"full-width at sign", "user＠example.com", ""},
		{"empty label", "example..com", ""},
		{"leading dot", ".example.com", ""},
		{"two trailing dots", "example.com..", ""},
		{"underscore", "my_site.com", ""},
		{"user info", "https://user:pass@example.com/", ""},
		{"port out of range", "example.com:70000", ""},
		{"port zero", "example.com:0", ""},
		{"port not a number", "example.com:http", ""},
		{"64-character label", strings.Repeat("a", 64) + ".com", ""},
		{"name longer than 253", strings.Repeat(long63+".", 4) + "com", ""},
		{"numeric TLD", "example.123", ""},
		{"www alone", "www.", ""},
		{"too long input", "https://example.com/" + strings.Repeat("a", 2100), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeDomain(tc.in)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Fatalf("NormalizeDomain(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
				}
				if again, err := NormalizeDomain(got); err != nil || again != got {
					t.Errorf("not idempotent: NormalizeDomain(%q) = %q, %v", got, again, err)
				}
				return
			}
			if got != "" {
				t.Errorf("NormalizeDomain(%q) returned %q alongside a refusal", tc.in, got)
			}
			fields := fieldsOf(t, err, domain.ECodeValidation)
			if len(fields) != 1 || fields[0] != "website" {
				t.Errorf("NormalizeDomain(%q) fields = %v, want [website] (err %v)", tc.in, fields, err)
			}
		})
	}
}

// TestNormalizeDomainCustomers: the spellings of one customer give one
// identity, and different customers never share one.
func TestNormalizeDomainCustomers(t *testing.T) {
	customers := [][]string{
		{"example.com", "https://app.example.com", "http://WWW.Example.COM:8080/x", "api.eu.example.com.", "Example.com/pricing"},
		{"example.co.uk", "www.example.co.uk/x", "https://app.example.co.uk/x", "shop.example.co.uk:443"},
		{"acme.herokuapp.com", "https://acme.herokuapp.com/", "api.acme.herokuapp.com"},
		{"other.herokuapp.com", "https://other.herokuapp.com/login"},
		{"xn--bcher-kva.example", "bücher.example", "https://www.BÜCHER.example/", "shop.xn--bcher-kva.example"},
	}
	seen := map[string]int{}
	for i, spellings := range customers {
		for _, in := range spellings {
			got, err := NormalizeDomain(in)
			if err != nil {
				t.Fatalf("NormalizeDomain(%q): %v", in, err)
			}
			if got != spellings[0] {
				t.Errorf("NormalizeDomain(%q) = %q, want %q", in, got, spellings[0])
			}
			if j, ok := seen[got]; ok && j != i {
				t.Errorf("%q of customer %d has the identity of customer %d", in, i, j)
			}
			seen[got] = i
		}
	}
}

// TestPublicSuffixListPrivateSection pins what the identity rule relies on
// in golang.org/x/net/publicsuffix: entries of the list's private section
// (herokuapp.com, github.io) are suffixes like ICANN's co.uk, so each app
// under them is a registrable domain of its own.
func TestPublicSuffixListPrivateSection(t *testing.T) {
	for _, tc := range []struct {
		host, suffix string
		icann        bool
	}{
		{"acme.herokuapp.com", "herokuapp.com", false},
		{"acme.github.io", "github.io", false},
		{"example.co.uk", "co.uk", true},
		{"example.com", "com", true},
	} {
		suffix, icann := publicsuffix.PublicSuffix(tc.host)
		if suffix != tc.suffix || icann != tc.icann {
			t.Errorf("PublicSuffix(%q) = %q, icann %v; want %q, icann %v", tc.host, suffix, icann, tc.suffix, tc.icann)
		}
		if got, err := publicsuffix.EffectiveTLDPlusOne(tc.host); err != nil || got != tc.host {
			t.Errorf("EffectiveTLDPlusOne(%q) = %q, %v; want the host itself", tc.host, got, err)
		}
	}
}

// TestNormalizeDomainMessages: a refusal tells the founder what to send.
func TestNormalizeDomainMessages(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"co.uk", "is a public suffix shared by many sites"},
		{"https://herokuapp.com/", "give the company's own domain"},
		{"http://10.0.0.1/", "not an IP address"},
		{"intranet", "must be a full domain name"},
		{"printer.local", "not a local or reserved one"},
		{"xn--zz.com", "is not a valid internationalised domain name"},
	} {
		_, err := NormalizeDomain(tc.in)
		var de *domain.Error
		if !errors.As(err, &de) || len(de.Fields) != 1 {
			t.Fatalf("NormalizeDomain(%q) = %v, want one field error", tc.in, err)
		}
		if f := de.Fields[0]; f.Field != "website" || !strings.Contains(f.Message, tc.want) {
			t.Errorf("NormalizeDomain(%q): %s %q, want website %q", tc.in, f.Field, f.Message, tc.want)
		}
	}
}

func BenchmarkNormalizeDomain(b *testing.B) {
	inputs := []string{
		"example.com",
		"https://WWW.Example.com:443/about?x=1",
		"http://localhost:3000",
		"sub.example.co.uk",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, in := range inputs {
			_, _ = NormalizeDomain(in)
		}
	}
}
