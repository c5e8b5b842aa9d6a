package intake

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
)

func TestDecode(t *testing.T) {
	deep := func(n int) string {
		return `{"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	}
	lines := func(n int) string {
		items := make([]string, n)
		for i := range items {
			items[i] = `{"service":"ec2","usd":1}`
		}
		return `{"projected_monthly_spend":[` + strings.Join(items, ",") + `]}`
	}
	tests := []struct {
		name       string
		body       string
		wantFields []string // nil: the error names no field
		wantErr    bool
	}{
		{name: "empty object", body: `{}`},
		{name: "surrounding whitespace", body: " \n{}\n "},
		{name: "unknown fields ignored", body: `{"utm_source":"x","nested":{"a":[1,2,{"b":null}]}}`},
		{name: "null fields are absent", body: `{"team_size":null,"last_round":null,"consent_to_share":null}`},
		{name: "brackets inside strings are text", body: `{"company_name":"[[[[{{{{\"]]]]","use_case":"\\\"[{"}`},
		{name: "depth 32 allowed", body: deep(31)},
		{name: "200 lines allowed by Decode", body: lines(200)},

		{name: "empty body", body: ``, wantErr: true},
		{name: "blank body", body: " \t\n", wantErr: true},
		{name: "not JSON", body: `company_name=Acme`, wantErr: true},
		{name: "JSON array", body: `[{}]`, wantErr: true},
		{name: "JSON null", body: `null`, wantErr: true},
		{name: "JSON string", body: `"hello"`, wantErr: true},
		{name: "truncated", body: `{"company_name":"Acme"`, wantErr: true},
		{name: "trailing object", body: `{} {}`, wantErr: true},
		{name: "trailing garbage", body: `{"company_name":"Acme"}x`, wantErr: true},
		{name: "invalid UTF-8", body: "{\"company_name\":\"Acme\xff\"}", wantErr: true},
		{name: "unbalanced close", body: `{]}`, wantErr: true},
		{name: "depth 33 refused", body: deep(32), wantErr: true, wantFields: []string{"x"}},
		{name: "deep objects refused", body: `{"x":` + strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40) + `}`, wantErr: true, wantFields: []string{"x"}},
		{name: "deep arrays in a known field refused", body: `{"company_name":` + strings.Repeat("[", 33) + `}`, wantErr: true, wantFields: []string{"company_name"}},
		{name: "long nested array names its path", body: `{"a":{"b":[[],[` + strings.Repeat("1,", 200) + `1]]}}`, wantErr: true, wantFields: []string{"a.b[1]"}},
		{name: "201 lines refused", body: lines(201), wantErr: true, wantFields: []string{"projected_monthly_spend"}},
		{name: "huge unknown array refused", body: `{"junk":[` + strings.Repeat("0,", 500) + `0]}`, wantErr: true, wantFields: []string{"junk"}},

		{name: "string for a number", body: `{"team_size":"twelve"}`, wantErr: true, wantFields: []string{"team_size"}},
		{name: "fraction for a number", body: `{"team_size":12.5}`, wantErr: true, wantFields: []string{"team_size"}},
		{name: "exponent for a number", body: `{"team_size":1e3}`, wantErr: true, wantFields: []string{"team_size"}},
		{name: "number too large", body: `{"last_round":{"amount_usd":99999999999999999999}}`, wantErr: true, wantFields: []string{"last_round.amount_usd"}},
		{name: "fractional usd names the line", body: `{"projected_monthly_spend":[{"service":"ec2","usd":100},{"service":"s3","usd":12.5}]}`, wantErr: true, wantFields: []string{"projected_monthly_spend[1].usd"}},
		{name: "key case is canonicalised", body: `{"projected_monthly_spend":[{"service":"ec2","USD":"1"}]}`, wantErr: true, wantFields: []string{"projected_monthly_spend[0].usd"}},
		{name: "number for a string", body: `{"company_name":42}`, wantErr: true, wantFields: []string{"company_name"}},
		{name: "string for a bool", body: `{"consent_to_share":"yes"}`, wantErr: true, wantFields: []string{"consent_to_share"}},
		{name: "array for an object", body: `{"last_round":[1]}`, wantErr: true, wantFields: []string{"last_round"}},
		{name: "object for an array", body: `{"requested_funding_sources":{"a":1}}`, wantErr: true, wantFields: []string{"requested_funding_sources"}},
		{name: "number in a string array", body: `{"requested_funding_sources":["founders",7]}`, wantErr: true, wantFields: []string{"requested_funding_sources[1]"}},
		{name: "string for a contact", body: `{"technical_contact":"ada@example.com"}`, wantErr: true, wantFields: []string{"technical_contact"}},
		{name: "number for an email", body: `{"business_contact":{"name":"B","email":1}}`, wantErr: true, wantFields: []string{"business_contact.email"}},
		{name: "number for the account id", body: `{"aws_account_id":123456789012}`, wantErr: true, wantFields: []string{"aws_account_id"}},
		{name: "type error after escaped keys", body: `{"n\u0061me":"x","projected_monthly_spend":[{"service":"a\"]","usd":1},{"usd":"1"}]}`, wantErr: true, wantFields: []string{"projected_monthly_spend[1].usd"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.body))
			if !tc.wantErr {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Decode succeeded, want malformed_request")
			}
			got := fieldsOf(t, err, domain.ECodeMalformed)
			if len(got) == 0 {
				got = nil
			}
			if diff := cmp.Diff(tc.wantFields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeTypeErrorSaysNothingAboutGo(t *testing.T) {
	_, err := Decode([]byte(`{"projected_monthly_spend":[{"service":"s3","usd":12.5}]}`))
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) != 1 {
		t.Fatalf("want one field error, got %v", err)
	}
	want := domain.FieldError{Field: "projected_monthly_spend[0].usd", Message: "must be a whole number"}
	if diff := cmp.Diff(want, de.Fields[0]); diff != "" {
		t.Errorf("field error (-want +got):\n%s", diff)
	}
	for _, s := range []string{"int64", "intake.", "Go ", "struct"} {
		if strings.Contains(de.Error(), s) || strings.Contains(de.Fields[0].Message, s) {
			t.Errorf("error %q mentions %q", de.Error(), s)
		}
	}
}

func TestDecodeTestdata(t *testing.T) {
	tests := []struct {
		file     string
		wantCode string // "" for a body that decodes and validates
	}{
		{"valid_intake.json", ""},
		{"valid_pre_seed_minimal.json", ""},
		{"invalid_fields.json", domain.ECodeValidation},
		{"wrong_types.json", domain.ECodeMalformed},
		{"float_usd.json", domain.ECodeMalformed},
		{"trailing_data.json", domain.ECodeMalformed},
		{"nested_garbage.json", domain.ECodeMalformed},
		{"nested_objects.json", domain.ECodeMalformed},
		{"strings_with_brackets.json", domain.ECodeValidation},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Decode(data)
			if err == nil {
				err = Validate(b, testNow)
			}
			if got := codeOf(err); got != tc.wantCode {
				t.Errorf("code = %q, want %q (%v)", got, tc.wantCode, err)
			}
		})
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return domain.ErrorCode(err)
}

func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile("testdata/valid_intake.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeHostileDepth(b *testing.B) {
	data := []byte(`{"x":` + strings.Repeat("[", 1<<20) + `}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err == nil {
			b.Fatal("want an error")
		}
	}
}
