package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// AxeScript is where axe-core's browser build lies, relative to the
// repository root, once scripts/browser.sh has run `npm ci`. The version is
// the one pinned in package-lock.json.
const AxeScript = "node_modules/axe-core/axe.min.js"

// axeTimeout bounds one axe-core run; a large page on a busy machine takes a
// few seconds.
const axeTimeout = 60 * time.Second

// Impacts that fail a page (SPEC §7: no serious or critical violations).
// axe-core's other impacts are "moderate" and "minor".
const (
	ImpactCritical = "critical"
	ImpactSerious  = "serious"
)

// Violation is one axe-core rule that the page breaks, with every element
// that breaks it.
type Violation struct {
	ID      string          `json:"id"`     // the rule, e.g. "image-alt"
	Impact  string          `json:"impact"` // critical, serious, moderate or minor
	Help    string          `json:"help"`   // one sentence saying what the rule wants
	HelpURL string          `json:"helpUrl"`
	Nodes   []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that breaks a rule.
type ViolationNode struct {
	// Target holds CSS selectors of the element; a selector that crosses
	// into a frame or shadow root is written with " >>> " between the parts.
	Target  []string `json:"target"`
	HTML    string   `json:"html"`    // the element's opening markup
	Summary string   `json:"summary"` // how to fix it
}

// Blocking reports whether v fails a page: its impact is serious or
// critical.
func (v Violation) Blocking() bool {
	return v.Impact == ImpactSerious || v.Impact == ImpactCritical
}

// Axe runs axe-core on the page in the chromedp context ctx (a Browser's
// Ctx) and fails the test listing every violation of impact serious or
// critical: the rule id, its help text and the elements, by selector. Less
// severe violations are logged. Run it once the page shows what it is
// tested for.
func Axe(tb testing.TB, ctx context.Context) {
	tb.Helper()
	actx, cancel := context.WithTimeout(ctx, axeTimeout)
	defer cancel()
	vs, err := AxeViolations(actx)
	if err != nil {
		tb.Fatalf("browsertest: axe-core: %v", err)
	}
	var blocking, other []Violation
	for _, v := range vs {
		if v.Blocking() {
			blocking = append(blocking, v)
		} else {
			other = append(other, v)
		}
	}
	if len(other) > 0 {
		tb.Logf("axe-core, below serious (not failing):\n%s", FormatViolations(other))
	}
	if len(blocking) > 0 {
		tb.Errorf("axe-core: %d serious or critical accessibility violation(s) on %s:\n%s",
			len(blocking), pageURL(actx), FormatViolations(blocking))
	}
}

// AxeViolations runs axe-core, with its default rules (WCAG 2 A and AA and
// best practices), on the whole page in ctx and returns every violation,
// whatever its impact, in axe-core's order. It injects AxeScript, read from
// disk, unless the page has it already.
func AxeViolations(ctx context.Context) ([]Violation, error) {
	src, err := axeSource()
	if err != nil {
		return nil, err
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object" && typeof window.axe.run === "function"`))
	if err != nil {
		return nil, fmt.Errorf("checking for axe-core in the page: %w", err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			return nil, fmt.Errorf("injecting %s: %w", AxeScript, err)
		}
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](axeRunJS, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	var vs []Violation
	if err := json.Unmarshal(raw, &vs); err != nil {
		return nil, fmt.Errorf("reading axe-core's results: %w", err)
	}
	return vs, nil
}

// axeRunJS runs axe-core on the document and keeps, of each violation,
// what a failing test should print.
const axeRunJS = `axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations.map(v => ({
	id: v.id,
	impact: v.impact || "",
	help: v.help,
	helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({
		target: n.target.map(t => Array.isArray(t) ? t.join(" >>> ") : String(t)),
		html: n.html,
		summary: n.failureSummary || "",
	})),
})))`

// FormatViolations writes violations one rule per paragraph: impact, id and
// help, the help address, then each element's selector and markup.
func FormatViolations(vs []Violation) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "[%s] %s: %s\n", v.Impact, v.ID, v.Help)
		if v.HelpURL != "" {
			fmt.Fprintf(&b, "    %s\n", v.HelpURL)
		}
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "  - %s  %s\n", strings.Join(n.Target, ", "), excerpt(n.HTML, 200))
		}
	}
	return b.String()
}

// axeSource reads AxeScript once per test binary.
var axeSource = sync.OnceValues(func() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	path := filepath.Join(root, AxeScript)
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%w: run scripts/browser.sh to install the pinned axe-core", err)
	}
	return string(b), nil
})

func pageURL(ctx context.Context) string {
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "the page"
	}
	return u
}
