package ace

import "testing"

func TestMarkdownText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "Acme Robotics", "Acme Robotics"},
		{"html", `<img src=x onerror="alert(1)">`, `&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;`},
		{"emphasis", "**bold** and _it_", `\*\*bold\*\* and \_it\_`},
		{"link", "[x](javascript:alert(1))", `\[x\]\(javascript:alert\(1\)\)`},
		{"image", "![i](u)", `\!\[i\]\(u\)`},
		{"code and strike", "`c` ~~s~~", "\\`c\\` \\~\\~s\\~\\~"},
		{"entity", "&amp; stays text", "&amp;amp; stays text"},
		{"backslash", `a\*b`, `a\\\*b`},
		{"lines fold", "one\n# two\n\n> three\t- four", `one \# two &gt; three - four`},
		{"table pipe", "a | b", `a \| b`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MarkdownText(tc.in); got != tc.want {
				t.Errorf("MarkdownText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 150000: "150,000", 1234567: "1,234,567", -25000: "-25,000"} {
		if got := Money(in); got != want {
			t.Errorf("Money(%d) = %q, want %q", in, got, want)
		}
	}
}
