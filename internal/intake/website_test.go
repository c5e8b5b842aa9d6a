package intake

import (
	"strings"
	"testing"

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
		{"multi-part public suffix", "sub.example.co.uk", "sub.example.co.uk"},
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
		{"other subdomain kept", "app.example.com", "app.example.com"},
		{"punycode", "xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"hyphen inside a label", "my-startup.io", "my-startup.io"},
		{"digits in labels", "123.example.com", "123.example.com"},
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
		{"non-ASCII", "bücher.example", ""},
		{"non-ASCII homoglyph", "exаmple.com", ""},
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
