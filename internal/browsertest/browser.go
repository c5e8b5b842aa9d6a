// Package browsertest drives CloudRoute's web pages in a real, headless
// Chromium, the way a person uses them: by the text of labels and buttons,
// by keyboard, on a 375 px phone screen, and checked with axe-core.
//
// It is for tests only: import it from _test.go files, never from the
// binary. It needs Debian's chromium at /usr/bin/chromium and axe-core in
// node_modules/ at the repository root; scripts/browser.sh installs both,
// and scripts/test.sh runs it first.
//
// A test starts a browser, serves its pages on loopback and drives them:
//
//	b := browsertest.New(t)
//	b.Navigate(t, srv.URL+"/")
//	b.FillByLabel(t, "Company name", "Acme Robotics")
//	b.ClickButton(t, "Send")
//	b.WaitForText(t, "Thank you")
//	browsertest.Axe(t, b.Ctx)
//
// Every helper fails the test (tb.Fatalf) when it cannot do what it says,
// with a message that names what it looked for and what it found instead,
// and no helper waits longer than Browser.Timeout.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// ChromiumPath is where Debian's chromium package puts the browser. The
// tests use this one binary and never download a browser of their own.
const ChromiumPath = "/usr/bin/chromium"

// Phone is the viewport of Browser.Phone: the narrowest screen the pages
// must work on (SPEC §7), in CSS pixels.
const (
	PhoneWidth  = 375
	PhoneHeight = 812
)

const (
	// DefaultTimeout bounds one helper call (a navigation, a click, a wait).
	// The machines that run the tests are small and shared, so it is
	// generous; a page that works answers in well under a second.
	DefaultTimeout = 20 * time.Second
	// launchTimeout bounds the start of the browser.
	launchTimeout = 60 * time.Second
	// closeTimeout bounds the graceful close at the end of the test, after
	// which the process is killed.
	closeTimeout = 10 * time.Second
	pollInterval = 50 * time.Millisecond
)

// Browser is one headless Chromium process with one tab, owned by one test.
// Its methods are not safe for concurrent use: like a person, a test does
// one thing at a time in a tab.
type Browser struct {
	// Ctx is the chromedp context of the tab. Pass it to Axe, or to chromedp
	// actions for anything the helpers do not cover.
	Ctx context.Context
	// Timeout bounds each helper call; New sets DefaultTimeout.
	Timeout time.Duration

	// width is the viewport width last set, for HorizontalOverflow.
	width int
	// output holds what the browser wrote to stdout and stderr, shown when
	// it fails to start.
	output *lockedBuffer
}

// New starts a headless Chromium for tb with a fresh profile (a directory
// under tb.TempDir) and closes it when tb ends. The browser runs with
// exactly these switches besides the protocol pipe chromedp adds:
//
//	--headless --no-sandbox --disable-gpu --disable-background-networking
//	--disable-component-update --no-first-run --user-data-dir=<temp dir>
//
// The last three keep it from fetching anything at start (component
// updates, field trials, the welcome page), which on a machine without
// internet access would stall the launch. --no-sandbox is needed as root.
//
// When /usr/bin/chromium is missing, the test is skipped with a message
// saying to run scripts/browser.sh, unless the environment says CI=true:
// then it fails, so that CI cannot pass without running the browser tests.
func New(tb testing.TB) *Browser {
	tb.Helper()
	if err := checkChromium(); err != nil {
		missingChromium(tb, err)
	}

	profile := tb.TempDir() // removed after the browser has exited: cleanups run last-in first-out
	out := &lockedBuffer{}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(ChromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(out),
	)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() {
		// Close gracefully, then make sure the process is gone.
		cctx, cancel := context.WithTimeout(ctx, closeTimeout)
		_ = chromedp.Cancel(cctx)
		cancel()
		cancelTab()
		cancelAlloc()
	})

	b := &Browser{Ctx: ctx, Timeout: DefaultTimeout, output: out}
	// The first action starts the process. It runs on the tab's own
	// context, whose cancellation would end the browser, so the launch
	// timeout is enforced from outside.
	started := make(chan error, 1)
	go func() {
		// Pages may send a strict Content-Security-Policy; the axe-core
		// script that Axe injects must run regardless.
		_, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		started <- err
	}()
	select {
	case err := <-started:
		if err != nil {
			tb.Fatalf("browsertest: starting %s: %v\n%s", ChromiumPath, err, out.String())
		}
	case <-time.After(launchTimeout):
		cancelAlloc()
		tb.Fatalf("browsertest: %s did not start within %s\n%s", ChromiumPath, launchTimeout, out.String())
	}
	return b
}

// missingChromium skips the test, or fails it under CI=true.
func missingChromium(tb testing.TB, err error) {
	tb.Helper()
	if inCI() {
		tb.Fatalf("browsertest: %v; CI=true, so the browser tests may not be skipped: run scripts/browser.sh", err)
	}
	tb.Skipf("browsertest: %v; run scripts/browser.sh (as root it installs chromium) to run the browser tests", err)
}

func checkChromium() error {
	fi, err := os.Stat(ChromiumPath)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s is not installed", ChromiumPath)
	case err != nil:
		return err
	case fi.IsDir() || fi.Mode()&0o111 == 0:
		return fmt.Errorf("%s is not an executable file", ChromiumPath)
	}
	return nil
}

func inCI() bool {
	v := os.Getenv("CI")
	return strings.EqualFold(v, "true") || v == "1"
}

// run runs actions on the tab with the per-call timeout.
func (b *Browser) run(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// eval evaluates a JavaScript expression in the page with the per-call
// timeout and decodes its JSON value into T.
func eval[T any](b *Browser, expr string, opts ...chromedp.EvaluateOption) (T, error) {
	ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
}

// Navigate loads url in the tab, waits until the page has loaded, and
// returns the HTTP status of the document. It fails the test only when the
// page cannot be loaded at all, so a test may check for a 404.
func (b *Browser) Navigate(tb testing.TB, url string) int {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		tb.Fatalf("browsertest: navigate to %s: %v", url, err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// URL returns the address of the page in the tab.
func (b *Browser) URL(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		tb.Fatalf("browsertest: reading the location: %v", err)
	}
	return u
}

// FillByLabel finds the form control whose <label> reads label (compared
// after collapsing white space; the text of controls nested in the label
// does not count), and fills it with value as a person would: a text field
// or textarea is emptied and value is typed into it key by key; a <select>
// gets the option whose text or value is value; a date, time, color or range
// input gets value set directly, since browsers draw those as pickers. The
// label may name its control by for="id" or contain it. A checkbox or radio
// button is not filled: use Check. It fails the test when no label or more
// than one reads label (use FillByLabelIn to pick a group), or the label
// has no usable control.
func (b *Browser) FillByLabel(tb testing.TB, label, value string) {
	tb.Helper()
	b.fill(tb, "", label, value)
}

// FillByLabelIn is FillByLabel limited to the <fieldset> whose <legend>
// reads group, for forms that repeat a label ("Name" under both "Technical
// contact" and "Business contact").
func (b *Browser) FillByLabelIn(tb testing.TB, group, label, value string) {
	tb.Helper()
	b.fill(tb, group, label, value)
}

func (b *Browser) fill(tb testing.TB, group, label, value string) {
	tb.Helper()
	what := describeTarget("label", group, label)
	kind := b.locate(tb, "label", group, label)
	sel := chromedp.JSPath(findExpr("label", group, label) + ".el")
	switch kind {
	case "text":
		// Empty the field the way select-all and delete would, then type.
		if _, err := eval[chromedp.Void](b, setValueExpr("label", group, label, "")); err != nil {
			tb.Fatalf("browsertest: clearing the field of %s: %v", what, err)
		}
		if err := b.run(chromedp.SendKeys(sel, value)); err != nil {
			tb.Fatalf("browsertest: typing into the field of %s: %v", what, err)
		}
	case "select":
		msg, err := eval[string](b, selectOptionExpr(group, label, value))
		if err != nil {
			tb.Fatalf("browsertest: choosing %q in %s: %v", value, what, err)
		}
		if msg != "" {
			tb.Fatalf("browsertest: choosing %q in %s: %s", value, what, msg)
		}
	case "picker":
		if _, err := eval[chromedp.Void](b, setValueExpr("label", group, label, value)); err != nil {
			tb.Fatalf("browsertest: setting %s to %q: %v", what, value, err)
		}
	case "checkable":
		tb.Fatalf("browsertest: %s is a checkbox or radio button: use Check", what)
	default:
		tb.Fatalf("browsertest: %s labels a control of unknown kind %q", what, kind)
	}
}

// UploadByLabel chooses the file at path in the file input whose <label>
// reads label, as a person picking it in the file dialog does. It fails the
// test when the label names another kind of control.
func (b *Browser) UploadByLabel(tb testing.TB, label, path string) {
	tb.Helper()
	what := describeTarget("label", "", label)
	if kind := b.locate(tb, "label", "", label); kind != "other input type=file" {
		tb.Fatalf("browsertest: %s is not a file input (it is %s)", what, kind)
	}
	if err := b.run(chromedp.SetUploadFiles(chromedp.JSPath(findExpr("label", "", label)+".el"), []string{path})); err != nil {
		tb.Fatalf("browsertest: choosing %s in %s: %v", path, what, err)
	}
}

// Check clicks the checkbox or radio button whose <label> reads label, if
// it is not checked yet. It fails the test when the label names another
// kind of control.
func (b *Browser) Check(tb testing.TB, label string) {
	tb.Helper()
	b.check(tb, "", label)
}

// CheckIn is Check limited to the <fieldset> whose <legend> reads group,
// the usual markup of a set of radio buttons.
func (b *Browser) CheckIn(tb testing.TB, group, label string) {
	tb.Helper()
	b.check(tb, group, label)
}

func (b *Browser) check(tb testing.TB, group, label string) {
	tb.Helper()
	what := describeTarget("label", group, label)
	if kind := b.locate(tb, "label", group, label); kind != "checkable" {
		tb.Fatalf("browsertest: %s is not a checkbox or radio button (it is %s)", what, kind)
	}
	checked, err := eval[bool](b, findExpr("label", group, label)+".control.checked")
	if err != nil {
		tb.Fatalf("browsertest: reading %s: %v", what, err)
	}
	if checked {
		return
	}
	if err := b.run(chromedp.Click(chromedp.JSPath(findExpr("label", group, label) + ".el"))); err != nil {
		tb.Fatalf("browsertest: clicking %s: %v", what, err)
	}
}

// ClickButton clicks, with the mouse, the one visible button whose text
// reads text: a <button>, an <input type=submit|button|reset>, or an
// element with role=button; its aria-label counts as its text when it has
// one. It does not wait for what the click causes: follow it with
// WaitForText, or use ClickButtonAndWait when the click loads a page.
func (b *Browser) ClickButton(tb testing.TB, text string) {
	tb.Helper()
	b.click(tb, "button", text)
}

// ClickButtonAndWait clicks the button like ClickButton, waits until the
// page that the click loads (after any redirects) has loaded, and returns
// its HTTP status. Use it for form posts that redirect.
func (b *Browser) ClickButtonAndWait(tb testing.TB, text string) int {
	tb.Helper()
	b.locate(tb, "button", "", text)
	ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.JSPath(findExpr("button", "", text)+".el")))
	if err != nil {
		tb.Fatalf("browsertest: clicking %s and waiting for the next page: %v", describeTarget("button", "", text), err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// ClickLink clicks the one visible link (<a href>) whose text reads text.
func (b *Browser) ClickLink(tb testing.TB, text string) {
	tb.Helper()
	b.click(tb, "link", text)
}

func (b *Browser) click(tb testing.TB, kind, text string) {
	tb.Helper()
	b.locate(tb, kind, "", text)
	if err := b.run(chromedp.Click(chromedp.JSPath(findExpr(kind, "", text) + ".el"))); err != nil {
		tb.Fatalf("browsertest: clicking %s: %v", describeTarget(kind, "", text), err)
	}
}

// locate finds the element and returns its kind, or fails the test with
// the reason the page script gave (no match, several, hidden, disabled).
func (b *Browser) locate(tb testing.TB, kind, group, text string) string {
	tb.Helper()
	var res struct {
		Kind string `json:"kind"`
		Err  string `json:"err"`
	}
	raw, err := eval[[]byte](b, findExpr(kind, group, text)+".info")
	if err == nil {
		err = json.Unmarshal(raw, &res)
	}
	if err != nil {
		tb.Fatalf("browsertest: looking for %s: %v", describeTarget(kind, group, text), err)
	}
	if res.Err != "" {
		tb.Fatalf("browsertest: %s", res.Err)
	}
	return res.Kind
}

// WaitForText waits until the visible text of the page contains text, and
// fails the test with the page's text when Timeout passes first. It keeps
// polling across page loads, so it can follow a click that submits a form.
func (b *Browser) WaitForText(tb testing.TB, text string) {
	tb.Helper()
	deadline := time.Now().Add(b.Timeout)
	var last string
	var lastErr error
	for {
		body, err := eval[string](b, bodyTextExpr)
		if err == nil {
			if strings.Contains(normalizeSpace(body), normalizeSpace(text)) {
				return
			}
			last, lastErr = body, nil
		} else {
			lastErr = err // a page being replaced has no document for a moment
		}
		if time.Now().After(deadline) {
			if lastErr != nil {
				tb.Fatalf("browsertest: %q did not appear within %s (last error: %v)", text, b.Timeout, lastErr)
			}
			tb.Fatalf("browsertest: %q did not appear within %s; the page reads:\n%s", text, b.Timeout, excerpt(last, 2000))
		}
		select {
		case <-time.After(pollInterval):
		case <-b.Ctx.Done():
			tb.Fatalf("browsertest: waiting for %q: the browser is gone: %v", text, b.Ctx.Err())
		}
	}
}

// Text returns the visible text (innerText) of the first element matching
// the CSS selector, waiting until it is visible.
func (b *Browser) Text(tb testing.TB, selector string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		tb.Fatalf("browsertest: reading the text of %q: %v", selector, err)
	}
	return strings.TrimSpace(s)
}

// BodyText returns the visible text of the whole page.
func (b *Browser) BodyText(tb testing.TB) string {
	tb.Helper()
	s, err := eval[string](b, bodyTextExpr)
	if err != nil {
		tb.Fatalf("browsertest: reading the page text: %v", err)
	}
	return s
}

// Press sends keys to whatever has the focus, one key event per rune. Use
// the names of github.com/chromedp/chromedp/kb for special keys; PressTab,
// PressShiftTab and PressEnter cover the usual ones.
func (b *Browser) Press(tb testing.TB, keys string) {
	tb.Helper()
	if err := b.run(chromedp.KeyEvent(keys)); err != nil {
		tb.Fatalf("browsertest: pressing %q: %v", keys, err)
	}
}

// PressTab moves the focus forward, as the Tab key does.
func (b *Browser) PressTab(tb testing.TB) {
	tb.Helper()
	b.Press(tb, kb.Tab)
}

// PressShiftTab moves the focus backward.
func (b *Browser) PressShiftTab(tb testing.TB) {
	tb.Helper()
	if err := b.run(chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))); err != nil {
		tb.Fatalf("browsertest: pressing Shift+Tab: %v", err)
	}
}

// PressEnter presses Enter on whatever has the focus: it submits a form
// from a text field, and activates a focused button or link.
func (b *Browser) PressEnter(tb testing.TB) {
	tb.Helper()
	b.Press(tb, kb.Enter)
}

// Focused describes the element that has the keyboard focus as its tag
// and its name as a person would hear it: `input "Company name"` for a
// labelled field, `button "Send"`, `a "Status"`, or `body ""` when nothing
// is focused. Keyboard tests press Tab and compare.
func (b *Browser) Focused(tb testing.TB) string {
	tb.Helper()
	s, err := eval[string](b, focusedExpr)
	if err != nil {
		tb.Fatalf("browsertest: reading the focused element: %v", err)
	}
	return s
}

// SetViewport sizes the page area to width × height CSS pixels, as a
// desktop window.
func (b *Browser) SetViewport(tb testing.TB, width, height int) {
	tb.Helper()
	if err := b.run(chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		tb.Fatalf("browsertest: setting the viewport to %d×%d: %v", width, height, err)
	}
	b.width = width
}

// Phone makes the tab a PhoneWidth × PhoneHeight phone screen with touch,
// as a mobile browser: a page without <meta name="viewport"> is then laid
// out 980 px wide and shrunk, which HorizontalOverflow reports. Set it
// before Navigate.
func (b *Browser) Phone(tb testing.TB) {
	tb.Helper()
	if err := b.run(chromedp.EmulateViewport(PhoneWidth, PhoneHeight, chromedp.EmulateMobile)); err != nil {
		tb.Fatalf("browsertest: emulating a %d px phone: %v", PhoneWidth, err)
	}
	b.width = PhoneWidth
}

// HorizontalOverflow returns by how many CSS pixels the page is wider than
// the viewport last set by SetViewport or Phone: 0 when it fits, more when a
// person would have to scroll sideways.
func (b *Browser) HorizontalOverflow(tb testing.TB) int {
	tb.Helper()
	if b.width == 0 {
		tb.Fatalf("browsertest: HorizontalOverflow needs SetViewport or Phone first")
	}
	w, err := eval[int](b, `Math.max(document.documentElement.scrollWidth, document.body ? document.body.scrollWidth : 0)`)
	if err != nil {
		tb.Fatalf("browsertest: measuring the page width: %v", err)
	}
	return max(w-b.width, 0)
}

// Screenshot saves a PNG of the whole page (beyond the viewport) at path,
// creating its directory. For the documentation, write under
// filepath.Join(RepoRoot(tb), "docs", "screenshots").
func (b *Browser) Screenshot(tb testing.TB, path string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 means PNG
	if err != nil {
		tb.Fatalf("browsertest: screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatalf("browsertest: screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.Fatalf("browsertest: screenshot: %v", err)
	}
}

// RepoRoot returns the repository root: the nearest directory above the
// test's working directory that holds go.mod.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	root, err := repoRoot()
	if err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	return root
}

var repoRoot = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
})

func describeTarget(kind, group, text string) string {
	s := fmt.Sprintf("the %s %q", kind, text)
	if group != "" {
		s += fmt.Sprintf(" in the group %q", group)
	}
	return s
}

func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// lockedBuffer collects the browser's output from its reader goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() < 64<<10 { // enough to diagnose a failed start
		l.buf.Write(p)
	}
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
