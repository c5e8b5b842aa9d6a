package mail

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A letter is what one mail says, as a short list of blocks. Each kind
// writes its letter once, in Go, and render turns it into both parts, so the
// text and the HTML part never say different things. The HTML part goes
// through html/template, which escapes every value: whatever a founder or a
// partner typed is text there, never markup. The text part is plain text and
// is not escaped.
type letter struct {
	Subject  string
	Greeting string
	Blocks   []block
	// Why tells the recipient why they get this mail.
	Why string
	// Unsubscribe is the opt-out link of a mail that can be turned off,
	// set by Compose.
	Unsubscribe string
}

// block is one of: a heading, a paragraph, a table of facts, a button, or a
// list. Exactly one field is set.
type block struct {
	Heading string
	Para    []span
	Facts   []fact
	Action  *action
	Items   []item
	// Empty is said instead of an empty Items list.
	Empty string
}

// span is a run of paragraph text, set in bold when Strong. Bold is lost
// in the text part, so a span never relies on it for meaning.
type span struct {
	Text   string
	Strong bool
}

type fact struct{ Label, Value string }

// action is a link shown as a button. Private links (the founder's status
// page, a password reset) are sent with rel="noreferrer" like every link
// here, so that the page they open does not learn them.
type action struct{ Label, URL string }

// item is one line of a list; URL, when set, links its text.
type item struct{ Text, Detail, URL string }

// Building blocks, so that each kind's letter reads like its mail.

func heading(s string) block       { return block{Heading: s} }
func para(spans ...span) block     { return block{Para: spans} }
func txt(s string) span            { return span{Text: s} }
func bold(s string) span           { return span{Text: s, Strong: true} }
func facts(fs ...fact) block       { return block{Facts: nonEmptyFacts(fs)} }
func button(label, u string) block { return block{Action: &action{Label: label, URL: u}} }
func list(items []item, empty string) block {
	return block{Items: items, Empty: empty}
}

// nonEmptyFacts drops facts without a value, so that an optional field
// left empty leaves no dangling label.
func nonEmptyFacts(fs []fact) []fact {
	out := fs[:0:0]
	for _, f := range fs {
		if strings.TrimSpace(f.Value) != "" {
			out = append(out, f)
		}
	}
	return out
}

// greeting is "Hello Ana," or "Hello," when the name is unknown.
func greeting(name string) string {
	if name = oneLine(name); name == "" {
		return "Hello,"
	}
	return "Hello " + name + ","
}

// checkLinks makes sure every link of the letter is usable. A kind whose
// link was left empty by the caller would otherwise send a dead button.
func (l letter) checkLinks() error {
	for _, b := range l.Blocks {
		if b.Action != nil {
			if err := checkURL(b.Action.URL); err != nil {
				return fmt.Errorf("link %q: %w", b.Action.Label, err)
			}
		}
		for _, it := range b.Items {
			if it.URL != "" {
				if err := checkURL(it.URL); err != nil {
					return fmt.Errorf("link of list item: %w", err)
				}
			}
		}
	}
	if l.Unsubscribe != "" {
		if err := checkURL(l.Unsubscribe); err != nil {
			return fmt.Errorf("unsubscribe link: %w", err)
		}
	}
	return nil
}

//go:embed layout.html
var layoutHTML string

var htmlLayout = template.Must(template.New("layout").Parse(layoutHTML))

// render returns the text and the HTML part of l.
func (l letter) render() (text, html string, err error) {
	l = l.clean()
	var buf bytes.Buffer
	if err := htmlLayout.Execute(&buf, l); err != nil {
		return "", "", fmt.Errorf("render HTML part: %w", err)
	}
	return l.text(), buf.String(), nil
}

// clean puts every value on one line: a company name or a use case typed
// with line breaks or control characters would otherwise break the layout
// of the text part, or fake lines in it.
func (l letter) clean() letter {
	out := l
	out.Greeting = oneLine(l.Greeting)
	out.Blocks = make([]block, len(l.Blocks))
	for i, b := range l.Blocks {
		c := block{Heading: oneLine(b.Heading), Empty: oneLine(b.Empty)}
		for _, s := range b.Para {
			c.Para = append(c.Para, span{Text: oneLineKeepEdges(s.Text), Strong: s.Strong})
		}
		for _, f := range b.Facts {
			c.Facts = append(c.Facts, fact{Label: oneLine(f.Label), Value: oneLine(f.Value)})
		}
		if b.Action != nil {
			c.Action = &action{Label: oneLine(b.Action.Label), URL: strings.TrimSpace(b.Action.URL)}
		}
		for _, it := range b.Items {
			c.Items = append(c.Items, item{Text: oneLine(it.Text), Detail: oneLine(it.Detail), URL: strings.TrimSpace(it.URL)})
		}
		if b.Items != nil && c.Items == nil {
			c.Items = []item{}
		}
		out.Blocks[i] = c
	}
	return out
}

// textWidth is where paragraphs of the text part are wrapped.
const textWidth = 72

// text renders the plain-text part.
func (l letter) text() string {
	var b strings.Builder
	if l.Greeting != "" {
		b.WriteString(l.Greeting + "\n\n")
	}
	for _, bl := range l.Blocks {
		switch {
		case bl.Heading != "":
			b.WriteString(bl.Heading + "\n" + strings.Repeat("-", utf8.RuneCountInString(bl.Heading)) + "\n\n")
		case bl.Para != nil:
			var p strings.Builder
			for _, s := range bl.Para {
				p.WriteString(s.Text)
			}
			b.WriteString(wrap(p.String(), textWidth) + "\n\n")
		case bl.Facts != nil:
			w := 0
			for _, f := range bl.Facts {
				w = max(w, utf8.RuneCountInString(f.Label))
			}
			for _, f := range bl.Facts {
				pad := strings.Repeat(" ", w-utf8.RuneCountInString(f.Label))
				b.WriteString(hang("  "+f.Label+": "+pad, f.Value, textWidth) + "\n")
			}
			b.WriteString("\n")
		case bl.Action != nil:
			b.WriteString(bl.Action.Label + ":\n" + bl.Action.URL + "\n\n")
		case bl.Items != nil:
			if len(bl.Items) == 0 {
				b.WriteString(wrap(bl.Empty, textWidth) + "\n\n")
				break
			}
			for _, it := range bl.Items {
				line := it.Text
				if it.Detail != "" {
					line += ": " + it.Detail
				}
				b.WriteString(hang("- ", line, textWidth) + "\n")
				if it.URL != "" {
					b.WriteString("  " + it.URL + "\n")
				}
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("CloudRoute\n")
	if l.Why != "" || l.Unsubscribe != "" {
		b.WriteString("\n-- \n")
		if l.Why != "" {
			b.WriteString(wrap(l.Why, textWidth) + "\n")
		}
		if l.Unsubscribe != "" {
			b.WriteString("Turn these mails off: " + l.Unsubscribe + "\n")
		}
	}
	return b.String()
}

// wrap breaks s into lines of at most width characters at spaces. A word
// longer than width (a URL) gets a line of its own, unbroken.
func wrap(s string, width int) string { return hang("", s, width) }

// hang writes prefix, then s wrapped at width, with the lines after the
// first indented under the start of s: a hanging indent, for "Label: value"
// and list lines.
func hang(prefix, s string, width int) string {
	indent := strings.Repeat(" ", utf8.RuneCountInString(prefix))
	var b strings.Builder
	b.WriteString(prefix)
	n, start := len(indent), len(indent)
	for _, w := range strings.Fields(s) {
		wl := utf8.RuneCountInString(w)
		switch {
		case n == start:
		case n+1+wl > width:
			b.WriteString("\n" + indent)
			n = start
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += wl
	}
	return b.String()
}

// oneLine collapses whitespace and control characters into single spaces
// and trims the ends.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// oneLineKeepEdges is oneLine for a span inside a paragraph: one space is
// kept at either end, because it separates the span from its neighbours.
func oneLineKeepEdges(s string) string {
	in := oneLine(s)
	if in == "" {
		if s != "" {
			return " "
		}
		return ""
	}
	r, _ := utf8.DecodeRuneInString(s)
	if unicode.IsSpace(r) {
		in = " " + in
	}
	r, _ = utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(r) {
		in += " "
	}
	return in
}

// subjectLine is a subject on one line, cut to a length every client shows.
func subjectLine(s string) string { return truncate(oneLine(s), 150) }

// truncate cuts s to at most n characters, ending with an ellipsis when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:n-1]), unicode.IsSpace) + "…"
}

// Formats shared by the kinds. Times are shown in UTC, named as such,
// because a mail does not know its reader's zone.

func formatTime(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006, 15:04 UTC") }
func formatDate(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

// formatUSD shows whole dollars: "USD 25,000".
func formatUSD(usd int64) string { return "USD " + groupThousands(usd) }

// formatCents shows an amount in cents: "USD 1,234.50".
func formatCents(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("USD %s%s.%02d", sign, groupThousands(cents/100), cents%100)
}

func groupThousands(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}
