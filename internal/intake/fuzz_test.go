package intake

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/publicsuffix"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// FuzzDecodeValidate feeds arbitrary bytes through Decode and Validate, as
// POST /v1/intakes does. It must never panic, and every refusal must be one
// of the two client errors: malformed_request or validation_failed.
func FuzzDecodeValidate(f *testing.F) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		f.Fatal(err)
	}
	if len(files) == 0 {
		f.Fatal("no seed bodies in testdata/*.json")
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"a":1}{}`, `{"team_size":1.5}`,
		`{"team_size":-0}`, `{"team_size":1e400}`, `{"company_name":"\u0000"}`,
		`{"projected_monthly_spend":[{"usd":"1"}]}`, `{"x":"\"[[["}`,
		`{"requested_funding_sources":["map","map"]}`, "{\"company_name\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Decode(data)
		if err != nil {
			requireCode(t, err, domain.ECodeMalformed)
			return
		}
		err = Validate(b, testNow)
		if err != nil {
			requireCode(t, err, domain.ECodeValidation)
		}
		// Validate accepts a body exactly when it accepts its stored form.
		if nerr := Validate(b.Normalized(), testNow); (nerr == nil) != (err == nil) {
			t.Fatalf("Validate = %v but Validate(Normalized) = %v", err, nerr)
		}
		// What Decode accepted survives a round trip through JSON.
		out, merr := json.Marshal(b)
		if merr != nil {
			t.Fatalf("Marshal: %v", merr)
		}
		again, derr := Decode(out)
		if derr != nil {
			t.Fatalf("re-decoding %s: %v", out, derr)
		}
		// reflect.DeepEqual first: cmp.Diff is slow enough to stall the
		// minimiser on 200-line bodies.
		if !reflect.DeepEqual(b, again) {
			t.Fatalf("round trip changed the body (-first +second):\n%s", cmp.Diff(b, again))
		}
		if err != nil {
			return
		}
		if _, werr := NormalizeDomain(b.Website); werr != nil {
			t.Fatalf("valid body has an unusable website %q: %v", b.Website, werr)
		}
		if b.MonthlySpendUSD() <= 0 {
			t.Fatalf("valid body has spend %d", b.MonthlySpendUSD())
		}
	})
}

// FuzzNormalizeDomain checks that a customer identity is always a plain,
// dotted, lower-case ASCII host name and a registrable domain, and that
// normalising it again changes nothing: two spellings of one site must
// never become two customers.
func FuzzNormalizeDomain(f *testing.F) {
	for _, s := range []string{
		"example.com", "https://WWW.Example.com:443/about?x=1", "http://Example.COM:8080/x?y#z",
		"example.com.", "sub.example.co.uk", "localhost", "http://localhost:3000", "127.0.0.1",
		"[::1]", "http://10.0.0.1/", "intranet", "ftp://example.com", "", "exa mple.com",
		"-bad.com", "bücher.de", "www.www.example.com", "www.com", "javascript:alert(1)",
		"https://user@example.com", `http://example.com\@x`, "example.com:", "a.b.c.d.e.f.g",
		"https://app.example.co.uk/x", "acme.herokuapp.com", "herokuapp.com", "co.uk", "xn--bcher-kva.example",
		"BÜCHER.example", "ｅｘａｍｐｌｅ.com", "app。example。com", "xn--zz.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := NormalizeDomain(in)
		if err != nil {
			requireCode(t, err, domain.ECodeValidation)
			var de *domain.Error
			if errors.As(err, &de) && (len(de.Fields) != 1 || de.Fields[0].Field != "website") {
				t.Fatalf("refusal names %v, want exactly the website field", de.Fields)
			}
			if got != "" {
				t.Fatalf("refusal returned %q", got)
			}
			return
		}
		switch {
		case got != strings.ToLower(got):
			t.Fatalf("%q: result %q is not lower case", in, got)
		case strings.Contains(got, "://"), strings.ContainsAny(got, "/:@?#[] "):
			t.Fatalf("%q: result %q still holds URL syntax", in, got)
		case !strings.Contains(got, "."):
			t.Fatalf("%q: result %q is a single label", in, got)
		case strings.HasSuffix(got, "."), strings.HasPrefix(got, "."):
			t.Fatalf("%q: result %q has an empty label", in, got)
		case len(got) > maxDomainLen:
			t.Fatalf("%q: result is %d bytes long", in, len(got))
		}
		for i := 0; i < len(got); i++ {
			if got[i] >= 0x80 {
				t.Fatalf("%q: result %q is not ASCII", in, got)
			}
		}
		if reg, err := publicsuffix.EffectiveTLDPlusOne(got); err != nil || reg != got {
			t.Fatalf("%q: result %q is not a registrable domain (%q, %v)", in, got, reg, err)
		}
		again, err := NormalizeDomain(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: NormalizeDomain(%q) = %q, then %q, %v", in, got, again, err)
		}
	})
}

func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T) is not a *domain.Error", err, err)
	}
	if de.Code != code {
		t.Fatalf("code = %q, want %q: %v", de.Code, code, err)
	}
}
