package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxReasonChars bounds every reason a client gives: for a decline, a
// release, a re-route, a withdrawal, a record's move, an admin's assignment
// or a commission adjustment.
const MaxReasonChars = 2000

// CheckText applies the one rule for free text that a client sends, and
// records at most one problem for field on p. It reports whether s passed.
//
//   - s must be valid UTF-8. (encoding/json already turns bad bytes into
//     U+FFFD; query strings and headers do not.)
//   - Its length, once surrounding white space is trimmed, is counted in
//     characters (runes) and must lie in [min, max]. With min > 0 a blank s
//     is "is required"; with min 0 it is allowed.
//   - It must not hold a control character (U+0000–U+001F, U+007F–U+009F;
//     NUL is what Postgres cannot store at all), except tab, line feed and
//     carriage return where multiline is true. In a single-line field those
//     three are tolerated only in the surrounding white space, which callers
//     trim.
//   - It must not hold a bidirectional embedding, override or isolate
//     (U+202A–U+202E, U+2066–U+2069), which can make text read differently
//     from what it is ("Trojan Source"), nor the line and paragraph
//     separators U+2028 and U+2029, which break lines where a reader of the
//     raw text sees none. The marks U+200E, U+200F and U+061C stay allowed:
//     right-to-left writing needs them, and they cannot reorder a run.
//
// The same function serves the JSON API and server-rendered pages, so that
// what one refuses the other refuses too.
func CheckText(p *FieldCheck, field, s string, min, max int, multiline bool) bool {
	if !utf8.ValidString(s) {
		p.Add(field, "must be valid UTF-8 text")
		return false
	}
	if msg := textFault(s, multiline); msg != "" {
		p.Add(field, "%s", msg)
		return false
	}
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case n == 0 && min > 0:
		p.Add(field, "is required")
	case n > max && min <= 1:
		p.Add(field, "must be at most %d characters", max)
	case n < min || n > max:
		p.Add(field, "must be %d to %d characters", min, max)
	default:
		return true
	}
	return false
}

// CheckReason is the rule for a required reason: at least one character
// besides white space, at most MaxReasonChars characters, and the text rule
// of CheckText with line breaks allowed.
func CheckReason(p *FieldCheck, field, s string) bool {
	return CheckText(p, field, s, 1, MaxReasonChars, true)
}

// CheckOptionalReason is CheckReason for a reason that may be left out or
// blank (whether a given move needs one is the caller's rule).
func CheckOptionalReason(p *FieldCheck, field, s string) bool {
	return CheckText(p, field, s, 0, MaxReasonChars, true)
}

// textFault says why s (valid UTF-8) breaks the character rule of
// CheckText, or returns "".
func textFault(s string, multiline bool) string {
	// Single-line text may carry a stray tab or line break at either end;
	// callers trim it before storing.
	core := strings.Trim(s, " \t\r\n")
	for _, r := range core {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			if !multiline {
				return "must be a single line, without tabs or line breaks"
			}
		case unicode.IsControl(r):
			return "must not contain control characters"
		case isBidiControl(r):
			return "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)"
		case r == '\u2028' || r == '\u2029':
			return "must not contain the line or paragraph separator U+2028 or U+2029; use a line feed"
		}
	}
	return ""
}

// isBidiControl reports whether r is a bidirectional embedding, override or
// isolate, the characters that can reorder how text is displayed.
func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}
