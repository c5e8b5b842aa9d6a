package browsertest

import (
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"html/template"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// goodPage is an accessible form: every control labelled (by for= or by
// nesting), two "Name" fields told apart by their fieldsets, a language, a
// title, a main landmark and a heading.
const goodPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tell us about your startup</title>
</head>
<body>
<main>
<h1>Tell us about your startup</h1>
<form method="post" action="/submit">
	<p><label for="company">Company name</label> <input id="company" name="company_name" autocomplete="organization"></p>
	<p><label>Stage <select name="stage"><option value="seed">Seed</option><option value="series_a">Series A</option></select></label></p>
	<p><label for="go-live">Go-live date</label> <input id="go-live" name="go_live" type="date"></p>
	<fieldset><legend>Technical contact</legend><label for="tn">Name</label> <input id="tn" name="tech_name"></fieldset>
	<fieldset><legend>Business contact</legend><label for="bn">Name</label> <input id="bn" name="biz_name"></fieldset>
	<p><label><input type="checkbox" name="consent" value="yes"> I agree to share these details with one partner</label></p>
	<button type="submit">Send</button>
</form>
</main>
</body>
</html>`

// badPage breaks two rules of impact critical: an image without alt text,
// and an input whose label points to an id that does not exist.
const badPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Broken</title></head>
<body>
<main>
<h1>Broken</h1>
<img src="/logo.png" width="40" height="40">
<form method="post" action="/submit">
	<label for="nope">Email</label> <input name="email">
	<button type="submit">Send</button>
</form>
</main>
</body>
</html>`

// widePage is too wide for a phone.
const widePage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Wide</title></head>
<body><main><h1>Wide</h1><div style="width: 600px">a fixed-width table</div></main></body>
</html>`

var donePage = template.Must(template.New("done").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Received</title></head>
<body><main><h1>Received</h1>
<p>Company: {{.company_name}}</p>
<p>Stage: {{.stage}}</p>
<p>Go-live: {{.go_live}}</p>
<p>Technical contact: {{.tech_name}}</p>
<p>Business contact: {{.biz_name}}</p>
<p>Consent: {{.consent}}</p>
</main></body>
</html>`))

// newSite serves the pages on loopback. A post is stored and redirected to
// its own page (POST, redirect, GET), as CloudRoute's pages will do.
func newSite(t *testing.T) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	var posts []map[string]string
	page := func(html string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			// As strict as the real pages will be: the injected axe-core
			// must run anyway.
			w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")
			fmt.Fprint(w, html)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", page(goodPage))
	mux.HandleFunc("GET /bad", page(badPage))
	mux.HandleFunc("GET /wide", page(widePage))
	mux.HandleFunc("GET /logo.png", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		v := map[string]string{}
		for _, k := range []string{"company_name", "stage", "go_live", "tech_name", "biz_name", "consent"} {
			v[k] = r.PostForm.Get(k)
		}
		mu.Lock()
		posts = append(posts, v)
		id := len(posts) - 1
		mu.Unlock()
		http.Redirect(w, r, "/done/"+strconv.Itoa(id), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /done/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		mu.Lock()
		defer mu.Unlock()
		if err != nil || id < 0 || id >= len(posts) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = donePage.Execute(w, posts[id])
	})
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return srv
}

// TestBrowser drives the pages in a real Chromium. The subtests share one
// browser and run in order.
func TestBrowser(t *testing.T) {
	srv := newSite(t)
	b := New(t)

	t.Run("fill by label and submit with a click", func(t *testing.T) {
		if got := b.Navigate(t, srv.URL+"/"); got != http.StatusOK {
			t.Fatalf("GET / = %d", got)
		}
		b.FillByLabel(t, "Company name", "Acme <b>Robotics</b>")
		b.FillByLabel(t, "Stage", "Series A")
		b.FillByLabel(t, "Go-live date", "2026-09-01")
		b.FillByLabelIn(t, "Technical contact", "Name", "Ada Lovelace")
		b.FillByLabelIn(t, "Business contact", "Name", "Grace Hopper")
		b.Check(t, "I agree to share these details with one partner")
		b.Check(t, "I agree to share these details with one partner") // already checked: stays checked
		// Filling again replaces what was typed.
		b.FillByLabel(t, "Company name", "Acme <b>Robotics</b>")

		if got := b.ClickButtonAndWait(t, "Send"); got != http.StatusOK {
			t.Fatalf("the page after Send answered %d", got)
		}
		b.WaitForText(t, "Received")
		if u := b.URL(t); !strings.Contains(u, "/done/") {
			t.Errorf("after Send the tab shows %s, want the /done/ page the post redirects to", u)
		}
		want := []string{
			"Company: Acme <b>Robotics</b>", // typed markup comes back as text
			"Stage: series_a",
			"Go-live: 2026-09-01",
			"Technical contact: Ada Lovelace",
			"Business contact: Grace Hopper",
			"Consent: yes",
		}
		body := b.BodyText(t)
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("the page lacks %q; it reads:\n%s", w, body)
			}
		}
		if got := b.Text(t, "h1"); got != "Received" {
			t.Errorf("h1 = %q", got)
		}
	})

	t.Run("ClickButton then WaitForText", func(t *testing.T) {
		b.Navigate(t, srv.URL+"/")
		b.FillByLabel(t, "Company name", "Initech")
		b.ClickButton(t, "Send")
		b.WaitForText(t, "Company: Initech")
	})

	t.Run("keyboard only", func(t *testing.T) {
		b.Navigate(t, srv.URL+"/")
		if got := b.Focused(t); got != `body ""` {
			t.Errorf("focus on a fresh page = %s", got)
		}
		b.PressTab(t)
		if got := b.Focused(t); got != `input "Company name"` {
			t.Fatalf("the first Tab focused %s", got)
		}
		b.Press(t, "Globex")
		order := []string{b.Focused(t)}
		for range 20 {
			if order[len(order)-1] == `button "Send"` {
				break
			}
			b.PressTab(t)
			// Chromium's date field takes one Tab stop per part it
			// shows (month, day, year), so it is left out of the order.
			if f := b.Focused(t); f != `input "Go-live date"` {
				order = append(order, f)
			}
		}
		want := []string{
			`input "Company name"`,
			`select "Stage"`,
			`input "Name"`,
			`input "Name"`,
			`input "I agree to share these details with one partner"`,
			`button "Send"`,
		}
		if diff := cmp.Diff(want, order); diff != "" {
			t.Fatalf("Tab order (-want +got):\n%s", diff)
		}
		b.PressShiftTab(t)
		if got := b.Focused(t); got != want[len(want)-2] {
			t.Errorf("Shift+Tab from Send focused %s", got)
		}
		b.PressTab(t)
		b.PressEnter(t)
		b.WaitForText(t, "Company: Globex")
	})

	t.Run("axe passes the accessible page", func(t *testing.T) {
		b.Navigate(t, srv.URL+"/")
		vs, err := AxeViolations(b.Ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Blocking() {
				t.Errorf("unexpected violation on the good page:\n%s", FormatViolations([]Violation{v}))
			}
		}
		r := capture(t, func(tb testing.TB) { Axe(tb, b.Ctx) })
		if len(r.errors)+len(r.fatals) > 0 {
			t.Errorf("Axe failed the good page: %q %q", r.errors, r.fatals)
		}
		Axe(t, b.Ctx) // and as a test would call it
	})

	t.Run("axe reports the inaccessible page", func(t *testing.T) {
		b.Navigate(t, srv.URL+"/bad")
		vs, err := AxeViolations(b.Ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]Violation{}
		for _, v := range vs {
			if v.Blocking() {
				got[v.ID] = v
			}
		}
		for _, id := range []string{"image-alt", "label"} {
			v, ok := got[id]
			if !ok {
				t.Errorf("axe did not report %s; it reported:\n%s", id, FormatViolations(vs))
				continue
			}
			if v.Help == "" || len(v.Nodes) == 0 || len(v.Nodes[0].Target) == 0 {
				t.Errorf("%s lacks help or targets: %+v", id, v)
			}
		}
		if v, ok := got["image-alt"]; ok && !slices.Contains(v.Nodes[0].Target, "img") {
			t.Errorf("image-alt targets %q, want img", v.Nodes[0].Target)
		}

		// Axe fails the test once, naming each rule, its help and its
		// elements.
		r := capture(t, func(tb testing.TB) { Axe(tb, b.Ctx) })
		if len(r.fatals) > 0 || len(r.errors) != 1 {
			t.Fatalf("Axe on the bad page: errors %q, fatals %q; want one error", r.errors, r.fatals)
		}
		msg := r.errors[0]
		for _, w := range []string{"image-alt", "label", got["image-alt"].Help, "img", `<input name="email">`, "/bad"} {
			if !strings.Contains(msg, w) {
				t.Errorf("the failure message lacks %q:\n%s", w, msg)
			}
		}
	})

	t.Run("lookups that fail say why", func(t *testing.T) {
		for _, c := range []struct {
			name string
			page string
			do   func(tb testing.TB)
			want string
		}{
			{"no such label", "/", func(tb testing.TB) { b.FillByLabel(tb, "Website", "x") }, `no <label> reads "Website"; labels: "Company name", "Stage"`},
			{"two labels", "/", func(tb testing.TB) { b.FillByLabel(tb, "Name", "x") }, `2 labels read "Name"`},
			{"no such fieldset", "/", func(tb testing.TB) { b.FillByLabelIn(tb, "Founder", "Name", "x") }, `no fieldset has the legend "Founder"; legends on the page: "Technical contact", "Business contact"`},
			{"label for a missing id", "/bad", func(tb testing.TB) { b.FillByLabel(tb, "Email", "x") }, `points to id "nope", but no form control has that id`},
			{"no such option", "/", func(tb testing.TB) { b.FillByLabel(tb, "Stage", "Series Z") }, `no option reads "Series Z"; options: "Seed", "Series A"`},
			{"fill a checkbox", "/", func(tb testing.TB) {
				b.FillByLabel(tb, "I agree to share these details with one partner", "yes")
			}, "use Check"},
			{"check a text field", "/", func(tb testing.TB) { b.Check(tb, "Company name") }, "is not a checkbox"},
			{"no such button", "/", func(tb testing.TB) { b.ClickButton(tb, "Submit") }, `no visible button reads "Submit"; buttons: "Send"`},
			{"no such link", "/", func(tb testing.TB) { b.ClickLink(tb, "Home") }, `no visible link reads "Home"`},
		} {
			t.Run(c.name, func(t *testing.T) {
				b.Navigate(t, srv.URL+c.page)
				r := capture(t, c.do)
				if len(r.fatals) != 1 || !strings.Contains(r.fatals[0], c.want) {
					t.Errorf("fatals = %q, want one containing %q", r.fatals, c.want)
				}
			})
		}
	})

	t.Run("phone screen and screenshot", func(t *testing.T) {
		b.Phone(t)
		b.Navigate(t, srv.URL+"/")
		if got := b.HorizontalOverflow(t); got != 0 {
			t.Errorf("the form overflows a %d px screen by %d px", PhoneWidth, got)
		}
		path := filepath.Join(t.TempDir(), "shots", "phone.png")
		b.Screenshot(t, path)
		png, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s is not a PNG", path)
		}
		b.Navigate(t, srv.URL+"/wide")
		if got := b.HorizontalOverflow(t); got <= 0 {
			t.Errorf("a 600 px element on a %d px screen: overflow %d, want > 0", PhoneWidth, got)
		}
	})
}

// TestMissingChromium checks the rule New applies when /usr/bin/chromium is
// missing: skip on a developer's machine, fail in CI.
func TestMissingChromium(t *testing.T) {
	for _, c := range []struct {
		ci        string
		wantSkip  bool
		wantFatal bool
	}{
		{"", true, false},
		{"false", true, false},
		{"true", false, true},
		{"1", false, true},
	} {
		t.Run("CI="+c.ci, func(t *testing.T) {
			t.Setenv("CI", c.ci)
			r := capture(t, func(tb testing.TB) { missingChromium(tb, fmt.Errorf("%s is not installed", ChromiumPath)) })
			if got := len(r.skips) == 1; got != c.wantSkip {
				t.Errorf("skipped = %v (%q), want %v", got, r.skips, c.wantSkip)
			}
			if got := len(r.fatals) == 1; got != c.wantFatal {
				t.Errorf("failed = %v (%q), want %v", got, r.fatals, c.wantFatal)
			}
			for _, m := range slices.Concat(r.skips, r.fatals) {
				if !strings.Contains(m, "scripts/browser.sh") {
					t.Errorf("the message does not say how to install: %q", m)
				}
			}
		})
	}
}

// TestOnlyTestsImport keeps this package out of the binary: only _test.go
// files may import it.
func TestOnlyTestsImport(t *testing.T) {
	root := RepoRoot(t)
	const self = "github.com/cloudroute/cloudroute/internal/browsertest"
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if strings.Trim(imp.Path.Value, `"`) == self {
				t.Errorf("%s imports %s; only tests may", path, self)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// recorder is a testing.TB that records failures instead of failing, so
// that the tests can check what a helper reports. Fatalf and Skipf end the
// goroutine, as they do in a test; capture runs the helper on a goroutine
// of its own for that reason.
type recorder struct {
	testing.TB
	mu                          sync.Mutex
	errors, fatals, skips, logs []string
}

func (r *recorder) add(to *[]string, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*to = append(*to, fmt.Sprintf(format, args...))
}

func (r *recorder) Helper()                           {}
func (r *recorder) Errorf(format string, args ...any) { r.add(&r.errors, format, args...) }
func (r *recorder) Logf(format string, args ...any)   { r.add(&r.logs, format, args...) }
func (r *recorder) Fatalf(format string, args ...any) {
	r.add(&r.fatals, format, args...)
	runtime.Goexit()
}
func (r *recorder) Skipf(format string, args ...any) {
	r.add(&r.skips, format, args...)
	runtime.Goexit()
}

func capture(t *testing.T, f func(tb testing.TB)) *recorder {
	t.Helper()
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}
