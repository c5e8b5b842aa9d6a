package domain

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		name      string
		s         string
		min, max  int
		multiline bool
		want      string // the message recorded, "" when s passes
	}{
		{"plain text", "Acme Robotics", 1, 200, false, ""},
		{"accents and emoji count as one character each", strings.Repeat("é", 199) + "🚀", 1, 200, false, ""},
		{"one character over", strings.Repeat("é", 201), 1, 200, false, "must be at most 200 characters"},
		{"required and empty", "", 1, 200, false, "is required"},
		{"required and blank", " \t\n ", 1, 200, false, "is required"},
		{"optional and empty", "", 0, 200, false, ""},
		{"optional and blank", "   ", 0, 200, false, ""},
		{"too short once trimmed", "   " + strings.Repeat("x", 19) + "   ", 20, 5000, true, "must be 20 to 5000 characters"},
		{"surrounding spaces do not count", "  " + strings.Repeat("x", 200) + "  ", 1, 200, false, ""},
		{"surrounding line breaks tolerated in a single line", "Acme Robotics \n", 1, 200, false, ""},

		{"NUL", "Acme\x00", 1, 200, false, "must not contain control characters"},
		{"NUL alone in an optional field", "\x00", 0, 200, false, "must not contain control characters"},
		{"NUL in multiline text", "line one\x00", 1, 200, true, "must not contain control characters"},
		{"ESC", "Acme \x1b[31mred", 1, 200, false, "must not contain control characters"},
		{"DEL", "Acme\x7f", 1, 200, false, "must not contain control characters"},
		{"C1 control NEL", "Acme\u0085Robotics", 1, 200, false, "must not contain control characters"},
		{"vertical tab at the edge", "\vAcme", 1, 200, false, "must not contain control characters"},
		{"invalid UTF-8", "Acme\xff", 1, 200, false, "must be valid UTF-8 text"},
		{"invalid UTF-8 in an optional field", "\xc3", 0, 200, true, "must be valid UTF-8 text"},

		{"line feed in a single line", "Acme\nRobotics", 1, 200, false, "must be a single line, without tabs or line breaks"},
		{"tab in a single line", "Acme\tRobotics", 1, 200, false, "must be a single line, without tabs or line breaks"},
		{"carriage return in a single line", "Acme\rRobotics", 1, 200, false, "must be a single line, without tabs or line breaks"},
		{"line breaks and tabs in multiline", "Line one.\r\nLine two.\tTabbed.", 1, 200, true, ""},

		{"right-to-left override", "invoice\u202Efdp.exe", 1, 200, false, "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)"},
		{"left-to-right embedding", "\u202Aabc", 0, 200, true, "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)"},
		{"pop directional formatting", "abc\u202C", 0, 200, true, "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)"},
		{"left-to-right isolate", "a\u2066b", 0, 200, false, "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)"},
		{"pop directional isolate", "a\u2069b", 0, 200, true, "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)"},
		{"right-to-left mark stays allowed", "שלום\u200F Acme", 1, 200, false, ""},
		{"zero-width joiner stays allowed", "👩\u200D💻", 1, 200, false, ""},
		{"line separator", "one\u2028two", 1, 200, true, "must not contain the line or paragraph separator U+2028 or U+2029; use a line feed"},
		{"paragraph separator at the edge", "one\u2029", 1, 200, true, "must not contain the line or paragraph separator U+2028 or U+2029; use a line feed"},
		{"replacement character is text", "caf\uFFFD", 1, 200, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p FieldCheck
			ok := CheckText(&p, "company_name", tt.s, tt.min, tt.max, tt.multiline)
			var want []FieldError
			if tt.want != "" {
				want = []FieldError{{Field: "company_name", Message: tt.want}}
			}
			if diff := cmp.Diff(want, p.Fields); diff != "" {
				t.Errorf("CheckText(%q) problems (-want +got):\n%s", tt.s, diff)
			}
			if ok != (tt.want == "") {
				t.Errorf("CheckText(%q) = %v, want %v", tt.s, ok, tt.want == "")
			}
		})
	}
}

func TestCheckReason(t *testing.T) {
	tests := []struct {
		name     string
		s        string
		want     string // CheckReason's message, "" when s passes
		optional string // CheckOptionalReason's message
	}{
		{"a reason", "we are at capacity this quarter", "", ""},
		{"several lines", "At capacity.\nTry again in June.", "", ""},
		{"empty", "", "is required", ""},
		{"blank", " \n\t ", "is required", ""},
		{"the limit in characters, not bytes", strings.Repeat("é", MaxReasonChars), "", ""},
		{"one over the limit", strings.Repeat("x", MaxReasonChars+1), "must be at most 2000 characters", "must be at most 2000 characters"},
		{"NUL", "full\x00", "must not contain control characters", "must not contain control characters"},
		{"ESC", "full\x1b", "must not contain control characters", "must not contain control characters"},
		{"bidi override", "full\u202E", "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)",
			"must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				check func(*FieldCheck, string, string) bool
				want  string
			}{{CheckReason, tt.want}, {CheckOptionalReason, tt.optional}} {
				var p FieldCheck
				c.check(&p, "reason", tt.s)
				var want []FieldError
				if c.want != "" {
					want = []FieldError{{Field: "reason", Message: c.want}}
				}
				if diff := cmp.Diff(want, p.Fields); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestValidEmailAppliesTheTextRule(t *testing.T) {
	for _, s := range []string{"ada@example.com\x00", "ada\x00@example.com", "ada\u202E@example.com", "ada@exa\u2066mple.com", "ada@example.com\x1b"} {
		if ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = true, want false", s)
		}
	}
	if !ValidEmail("ada@example.com") {
		t.Error("ValidEmail(ada@example.com) = false")
	}
}

func TestValidatePartnerPatchText(t *testing.T) {
	for _, tt := range []struct {
		name  string
		patch PartnerPatch
		want  []string
	}{
		{"name with NUL", PartnerPatch{Name: ptr("Acme\x00")}, []string{"name"}},
		{"name with a bidi override", PartnerPatch{Name: ptr("Acme\u202E")}, []string{"name"}},
		{"name on two lines", PartnerPatch{Name: ptr("Acme\nCloud")}, []string{"name"}},
		{"contact_email with NUL", PartnerPatch{ContactEmail: ptr("ops@acme.example.com\x00")}, []string{"contact_email"}},
		{"valid", PartnerPatch{Name: ptr("Acme Cloud"), ContactEmail: ptr("ops@acme.example.com")}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			if err := ValidatePartnerPatch(tt.patch, false); err != nil {
				for _, f := range err.(*Error).Fields {
					got = append(got, f.Field)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
