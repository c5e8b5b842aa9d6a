package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cloudroute/cloudroute/internal/web/form"
)

// wantHeaders checks the security headers every page carries.
func wantHeaders(t *testing.T, p page) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	} {
		if got := p.header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

func wantText(t *testing.T, p page, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(p.body, s) {
			t.Errorf("the page lacks %q:\n%s", s, excerpt(p.body))
		}
	}
}

func wantNoText(t *testing.T, p page, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(p.body, s) {
			t.Errorf("the page shows %q", s)
		}
	}
}

func TestIntakeForm(t *testing.T) {
	e := newEnv(t, 0)
	b := e.browser(t)
	for _, path := range []string{"/", "/start"} {
		t.Run(path, func(t *testing.T) {
			p := b.get(path)
			if p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
				t.Fatalf("status %d, type %q", p.status, p.header.Get("Content-Type"))
			}
			wantHeaders(t, p)
			if p.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", p.header.Get("Cache-Control"))
			}
			// Every field of SPEC §4 has its label; value sets read as words.
			wantText(t, p, `<html lang="en">`, "Start in 3 minutes →",
				`<label for="company_name">Company name</label>`, `<label for="website">Website</label>`,
				`<label for="team_size">Team size</label>`, `<label for="stage">Funding stage</label>`,
				`<legend>Last funding round</legend>`, `<label for="last_round-round">Round name</label>`,
				`<label for="last_round-amount_usd">Amount raised in USD</label>`, `<label for="last_round-closed_on">Closing date</label>`,
				`<label for="region">Region</label>`, `<label for="vertical">Industry</label>`,
				`<legend>What your AWS usage is mostly</legend>`, `<legend>Engagement type</legend>`,
				`<legend>Projected monthly AWS spend</legend>`, `<legend>Line 1</legend>`, `<legend>Line 5</legend>`,
				`<label for="use_case">What you are building on AWS</label>`, `<label for="competing_cloud">Where you run today</label>`,
				`<label for="aws_account_id">AWS account ID <span class="optional">(optional)</span></label>`,
				`<legend>Credits you would like a partner to file</legend>`, `<legend>Technical contact</legend>`,
				`<legend>Business contact</legend>`, `<label for="consent_to_share">`,
				`>Series A<`, `>Pre-seed<`, `>US East<`, `>B2B SaaS<`, `>AI-heavy<`, `>Google Cloud<`,
				`Activate Portfolio`, "50,000–100,000 USD", "Bedrock proof of concept", "10,000–50,000 USD", "no credit amount",
				`<script src="/static/intake.js?v=`)
			wantNoText(t, p, `<legend>Line 6</legend>`, "<style", "style=", "onclick", "<script>")
			if key := formOf(t, p).Get(form.IdempotencyKey); uuid.Validate(key) != nil {
				t.Errorf("idempotency key %q is not a UUID", key)
			}
			if b.cookie("/", "cr_csrf") == "" {
				t.Error("no CSRF cookie")
			}
		})
	}
	// Each form shown has a key of its own.
	if formOf(t, b.get("/")).Get(form.IdempotencyKey) == formOf(t, b.get("/")).Get(form.IdempotencyKey) {
		t.Error("two forms share an idempotency key")
	}
}

func TestIntakeSubmit(t *testing.T) {
	e := newEnv(t, 0)
	b := e.browser(t)
	p := b.get("/")
	hidden := formOf(t, p)
	sent := merge(exampleForm(), hidden)
	res := b.post("/", sent)
	if res.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303:\n%s", res.status, excerpt(res.body))
	}
	id := statusLocation.FindStringSubmatch(res.header.Get("Location"))[1]

	// The access cookie: the token itself, HttpOnly, SameSite=Strict,
	// scoped to the intake's pages; not Secure on 127.0.0.1.
	var access *http.Cookie
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == "cr_intake" {
			access = c
		}
	}
	if access == nil || !strings.HasPrefix(access.Value, "cr_intake_") || access.Path != "/status/"+id || !access.HttpOnly ||
		access.SameSite != http.SameSiteStrictMode || access.Secure || access.MaxAge <= 0 {
		t.Fatalf("access cookie %+v", access)
	}
	if strings.Contains(res.header.Get("Location"), access.Value) {
		t.Fatal("the token is in the redirect")
	}
	if n := e.count(t, `SELECT count(*) FROM intakes WHERE id = '`+id+`' AND company_name = 'Acme Robotics' AND team_size = 12
		AND projected_monthly_usd = 6500 AND last_round->>'lead_investor' = 'Example Ventures'`); n != 1 {
		t.Fatal("the intake was not stored as filled in")
	}

	// The first view shows the private link, once.
	first := b.get("/status/" + id)
	wantHeaders(t, first)
	wantText(t, first, "Save this link", e.srv.URL+"/status/"+id+"#"+access.Value, "Acme Robotics: your intake", "Your credit plan")
	second := b.get("/status/" + id)
	if second.status != 200 || strings.Contains(second.body, access.Value) || strings.Contains(second.body, "Save this link") {
		t.Errorf("the second view shows the link again (status %d)", second.status)
	}
	wantText(t, second, "Acme Robotics: your intake")

	// Sending the same form again (a double click, a reload) files
	// nothing new and lands on the same intake.
	again := b.post("/", sent)
	if again.status != http.StatusSeeOther || again.header.Get("Location") != "/status/"+id {
		t.Fatalf("resend: %d %s", again.status, again.header.Get("Location"))
	}
	if n := e.count(t, `SELECT count(*) FROM intakes`); n != 1 {
		t.Fatalf("%d intakes after a resend, want 1", n)
	}
	// The same key with other answers files nothing either.
	changed := merge(sent, url.Values{form.CompanyName: {"Acme Robotics Ltd"}})
	other := b.post("/", changed)
	if other.status != http.StatusConflict {
		t.Fatalf("the same key with other answers: %d", other.status)
	}
	wantText(t, other, "already sent with other answers", "Acme Robotics Ltd")
	if formOf(t, other).Get(form.IdempotencyKey) == hidden.Get(form.IdempotencyKey) {
		t.Error("the form keeps the used key")
	}
	if n := e.count(t, `SELECT count(*) FROM intakes`); n != 1 {
		t.Fatalf("%d intakes, want 1", n)
	}
	// No token in any log line.
	if strings.Contains(e.log.String(), "cr_intake_") {
		t.Errorf("a token reached the log:\n%s", e.log.String())
	}
}

// TestIntakeErrors: every error at once, next to its field and in the
// summary, the input kept, nothing written.
func TestIntakeErrors(t *testing.T) {
	e := newEnv(t, 0)
	b := e.browser(t)
	hidden := formOf(t, b.get("/"))
	v := merge(url.Values{
		form.CompanyName: {"<script>alert('company')</script>"}, form.Website: {"not a website"},
		form.Stage: {"series_a"}, form.TeamSize: {"a dozen"},
		"spend.2.service": {"ec2"}, "spend.2.usd": {"lots"},
		form.UseCase:  {`<img src=x>`},
		form.TechName: {"Ada"}, form.TechEmail: {"ada-at-example"},
	}, hidden)
	p := b.post("/", v)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", p.status)
	}
	wantHeaders(t, p)
	wantText(t, p,
		`id="error-summary"`, `role="alert"`,
		"Website must not contain spaces or control characters",
		"Team size must be between 1 and 100000",
		"Last funding round is required when stage is Series A (it is optional only for pre-seed)",
		"Region is required", "Industry is required", "What your AWS usage is mostly is required",
		"Engagement type is required", "Where you run today is required",
		"Monthly amount on line 3 must be a positive whole number of USD",
		"What you are building must be 20 to 5000 characters",
		"Your choice of credits is required: request at least one funding source",
		"Technical contact&#39;s email must be an email address",
		"Business contact&#39;s name is required", "Business contact&#39;s email is required",
		"Consent is required",
		// Each message next to its control, which points to it.
		`id="website-error"`, `aria-describedby="website-hint website-error" aria-invalid="true"`,
		`id="spend-2-usd-error"`, `href="#spend-2-usd"`, `href="#last_round-round"`,
		// The input is kept, escaped.
		`value="not a website"`, `value="a dozen"`, `value="lots"`, `value="Ada"`,
		`&lt;script&gt;alert(&#39;company&#39;)&lt;/script&gt;`, `&lt;img src=x&gt;`,
		// The key is kept: a corrected form is the same submission.
		`name="idempotency_key" value="`+hidden.Get(form.IdempotencyKey)+`"`,
	)
	wantNoText(t, p, "<script>alert", `<img src=x`)
	if n := e.count(t, `SELECT count(*) FROM intakes`); n != 0 {
		t.Fatalf("%d intakes written", n)
	}
	// The summary lists every error in the order of the form.
	summary := p.body[strings.Index(p.body, `id="error-summary"`):strings.Index(p.body, "</ul>")]
	order := []string{"Website", "Team size", "Industry", "Region", "Last funding round", "What your AWS usage",
		"Engagement type", "Where you run today", "Monthly amount on line 3", "What you are building", "Your choice of credits",
		"Technical contact&#39;s email", "Business contact&#39;s name", "Consent"}
	at := -1
	for _, s := range order {
		i := strings.Index(summary, ">"+s)
		if i < 0 || i < at {
			t.Errorf("the summary lists %q out of order:\n%s", s, summary)
		}
		at = i
	}

	// Corrected, the same form goes through.
	ok := b.post("/", merge(merge(exampleForm(), hidden), url.Values{form.CompanyName: {"<script>alert('company')</script>"}}))
	if ok.status != http.StatusSeeOther {
		t.Fatalf("corrected: status %d:\n%s", ok.status, excerpt(ok.body))
	}
	status := b.get(ok.header.Get("Location"))
	wantText(t, status, `&lt;script&gt;alert(&#39;company&#39;)&lt;/script&gt;: your intake`)
	wantNoText(t, status, "<script>alert")
}

func TestIntakePreSeedIgnoresTheRound(t *testing.T) {
	e := newEnv(t, 0)
	b := e.browser(t)
	id := b.submit(url.Values{form.Stage: {"pre_seed"}, form.RoundAmount: {"not a number"}})
	if n := e.count(t, `SELECT count(*) FROM intakes WHERE id = '`+id+`' AND last_round IS NULL`); n != 1 {
		t.Fatal("a pre-seed intake kept a last round")
	}
}

func TestIntakeDuplicateCustomer(t *testing.T) {
	e := newEnv(t, 0)
	first := e.browser(t)
	v := exampleForm()
	first.submit(url.Values{form.Website: v[form.Website]})
	second := e.browser(t)
	p := second.post("/", merge(merge(exampleForm(), formOf(t, second.get("/"))), url.Values{
		form.Website: {strings.Replace(v.Get(form.Website), "https://www.", "http://app.", 1)}, form.CompanyName: {"Other name"}}))
	if p.status != http.StatusConflict {
		t.Fatalf("status %d, want 409", p.status)
	}
	// The API's neutral message, nothing about the first intake.
	wantText(t, p, "An open intake already exists for this customer.", `value="Other name"`)
	wantNoText(t, p, "Acme Robotics", "/status/")
	if n := e.count(t, `SELECT count(*) FROM intakes`); n != 1 {
		t.Fatalf("%d intakes", n)
	}
}

func TestIntakeRateLimit(t *testing.T) {
	e := newEnv(t, 1)
	b := e.browser(t)
	b.submit(nil)
	p := b.post("/", merge(exampleForm(), formOf(t, b.get("/"))))
	if p.status != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", p.status)
	}
	m := regexp.MustCompile(`Too many submissions from your network; try again in (\d+) seconds\.`).FindStringSubmatch(p.body)
	if m == nil || p.header.Get("Retry-After") != m[1] {
		t.Fatalf("Retry-After %q; page:\n%s", p.header.Get("Retry-After"), excerpt(p.body))
	}
	wantText(t, p, `value="Acme Robotics"`)
	if n := e.count(t, `SELECT count(*) FROM intakes`); n != 1 {
		t.Fatalf("%d intakes", n)
	}
}

// TestCSRF: a post without this browser's token is refused, and nothing
// is written.
func TestCSRF(t *testing.T) {
	e := newEnv(t, 0)
	owner := e.browser(t)
	id := owner.submit(nil)
	good := formOf(t, owner.get("/status/"+id+"/withdraw"))

	stranger := e.browser(t)
	strangerForm := formOf(t, stranger.get("/")) // a valid token, for another browser

	for _, tc := range []struct {
		name string
		b    *browser
		path string
		v    url.Values
		hdr  []string
	}{
		{"intake without a token", stranger, "/", exampleForm(), nil},
		{"intake with another browser's token", owner, "/", merge(exampleForm(), strangerForm), nil},
		{"intake with a forged token", stranger, "/", merge(exampleForm(), url.Values{"csrf_token": {"AAAA"}}), nil},
		{"intake from another site", stranger, "/", merge(exampleForm(), strangerForm), []string{"Sec-Fetch-Site", "cross-site"}},
		{"intake from a sibling site", stranger, "/", merge(exampleForm(), strangerForm), []string{"Sec-Fetch-Site", "same-site"}},
		{"intake with another Origin", stranger, "/", merge(exampleForm(), strangerForm), []string{"Origin", "https://evil.example"}},
		{"withdraw without a token", owner, "/status/" + id + "/withdraw", url.Values{}, nil},
		{"withdraw with a forged token", owner, "/status/" + id + "/withdraw", url.Values{"csrf_token": {good.Get("csrf_token") + "x"}}, nil},
		{"withdraw from another site", owner, "/status/" + id + "/withdraw", good, []string{"Sec-Fetch-Site", "cross-site"}},
		{"reroute without a token", owner, "/status/" + id + "/reroute", url.Values{"reason": {"x"}}, nil},
		{"session without a token", stranger, "/status/" + id + "/session", url.Values{"token": {"cr_intake_x"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.count(t, `SELECT count(*) FROM intakes`)
			p := tc.b.post(tc.path, tc.v, tc.hdr...)
			if p.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", p.status)
			}
			wantHeaders(t, p)
			if n := e.count(t, `SELECT count(*) FROM intakes`); n != before {
				t.Errorf("intakes %d → %d", before, n)
			}
			if s := e.intakeStatus(t, id); s == "withdrawn" {
				t.Fatal("the intake was withdrawn")
			}
		})
	}
	// The intake form refused keeps what was typed, to be sent again.
	p := stranger.post("/", exampleForm())
	wantText(t, p, "This form had expired, so nothing was sent", `value="Acme Robotics"`)
	// With the right token the same posts work.
	if p := owner.post("/status/"+id+"/withdraw", good); p.status != http.StatusSeeOther {
		t.Fatalf("withdraw with the token: %d", p.status)
	}
}

// TestStatusAccess: without the intake's own access, every page of it
// looks the same whether or not it exists; an id that is not one is 404.
func TestStatusAccess(t *testing.T) {
	e := newEnv(t, 0)
	a := e.browser(t)
	idA := a.submit(url.Values{form.CompanyName: {"Company A"}})
	b := e.browser(t)
	idB := b.submit(url.Values{form.CompanyName: {"Company B"}})
	tokenA := a.cookie("/status/"+idA, "cr_intake")
	unknown := uuid.NewString()

	stranger := e.browser(t)
	noAccess := stranger.get("/status/" + unknown)
	if noAccess.status != 200 {
		t.Fatalf("unknown intake: %d", noAccess.status)
	}
	wantHeaders(t, noAccess)
	wantText(t, noAccess, "Open your intake", "Private link or access token", `action="/status/`+unknown+`/session"`)
	normalise := func(p page, id string) string {
		return strings.ReplaceAll(hiddenCSRF.ReplaceAllString(p.body, ""), id, "ID")
	}
	for _, path := range []string{"", "/reroute", "/withdraw"} {
		got := stranger.get("/status/" + idA + path)
		ref := stranger.get("/status/" + unknown + path)
		if got.status != ref.status || normalise(got, idA) != normalise(ref, unknown) {
			t.Errorf("GET %s tells a known intake from an unknown one", path)
		}
		wantNoText(t, got, "Company A")
	}

	// Intake A's token on intake B's pages opens nothing.
	withA := func(method, path string, v url.Values) page {
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(v.Encode()))
		req.Header.Set("Cookie", "cr_intake="+tokenA+"; cr_csrf="+b.cookie("/", "cr_csrf"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return b.do(req)
	}
	bForm := formOf(t, b.get("/status/"+idB+"/withdraw"))
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/status/" + idB, 200},
		{"GET", "/status/" + idB + "/reroute", 200},
		{"GET", "/status/" + idB + "/withdraw", 200},
		{"POST", "/status/" + idB + "/withdraw", 403},
		{"POST", "/status/" + idB + "/reroute", 403},
	} {
		p := withA(tc.method, tc.path, merge(bForm, url.Values{"reason": {"not mine"}}))
		if p.status != tc.status {
			t.Errorf("%s %s with A's token: %d, want %d", tc.method, tc.path, p.status, tc.status)
		}
		wantText(t, p, "Open your intake")
		wantNoText(t, p, "Company B")
	}
	if p := withA("GET", "/status/"+idB+"/live", nil); p.status != 404 || strings.Contains(p.body, "Company B") {
		t.Errorf("live with A's token: %d", p.status)
	}
	if s := e.intakeStatus(t, idB); s == "withdrawn" {
		t.Fatal("A's token withdrew B")
	}

	// Ids that are not ids: 404 on every page.
	for _, id := range []string{"not-an-id", strings.ToUpper(idA), idA + "0", "%00"} {
		for _, path := range []string{"", "/live", "/reroute", "/withdraw"} {
			if p := a.get("/status/" + id + path); p.status != 404 {
				t.Errorf("GET /status/%s%s: %d, want 404", id, path, p.status)
			}
		}
	}
	for _, p := range []page{stranger.post("/status/not-an-id/session", formOf(t, noAccess)), stranger.get("/static/nothing.css"), stranger.get("/status/")} {
		if p.status != 404 {
			t.Errorf("status %d, want 404", p.status)
		}
	}

	// The owner's live section.
	live := a.get("/status/" + idA + "/live")
	if live.status != 200 || live.header.Get("X-Intake-Status") == "" || strings.Contains(live.body, "<html") {
		t.Errorf("live: %d %q", live.status, live.header.Get("X-Intake-Status"))
	}
	wantText(t, live, `id="status-title"`)
}

// TestSession: the private link, posted, gives another browser access.
func TestSession(t *testing.T) {
	e := newEnv(t, 0)
	owner := e.browser(t)
	id := owner.submit(nil)
	other := owner.submit(nil)
	token := owner.cookie("/status/"+id, "cr_intake")
	link := e.srv.URL + "/status/" + id + "#" + token

	for _, tc := range []struct {
		name, pasted string
		status       int
		says         string
	}{
		{"nothing", "", 422, "That is not a CloudRoute private link"},
		{"a web address", "https://example.com/", 422, "That is not a CloudRoute private link"},
		{"an unknown token", "cr_intake_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 403, "does not open this intake"},
		{"another intake's token", owner.cookie("/status/"+other, "cr_intake"), 403, "does not open this intake"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser(t)
			p := b.post("/status/"+id+"/session", merge(formOf(t, b.get("/status/"+id)), url.Values{"token": {tc.pasted}}))
			if p.status != tc.status {
				t.Fatalf("status %d, want %d", p.status, tc.status)
			}
			wantText(t, p, tc.says, "Open your intake")
			wantNoText(t, p, "Acme Robotics")
			if tc.pasted != "" {
				wantNoText(t, p, tc.pasted)
			}
			if b.cookie("/status/"+id, "cr_intake") != "" {
				t.Error("a cookie was set")
			}
		})
	}
	for _, pasted := range []string{link, "  " + token + "\n", "#" + token} {
		b := e.browser(t)
		p := b.post("/status/"+id+"/session", merge(formOf(t, b.get("/status/"+id)), url.Values{"token": {pasted}}))
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/status/"+id {
			t.Fatalf("the link %q: %d %s", pasted, p.status, p.header.Get("Location"))
		}
		page := b.get("/status/" + id)
		wantText(t, page, "Acme Robotics: your intake")
		wantNoText(t, page, token, "Save this link")
	}
	if strings.Contains(e.log.String(), "cr_intake_") {
		t.Errorf("a token reached the log")
	}
}

// TestEngagedRerouteWithdraw follows an intake to its partner: why this
// partner and the credit plan, then "we did not connect" and a
// withdrawal, each through its confirmation step.
func TestEngagedRerouteWithdraw(t *testing.T) {
	e := newEnv(t, 0)
	e.startWorker(t)
	first, firstKey := e.createPartner(t, "Harbor Cloud", 40, 36)
	e.waitIndexed(t, first, 40)
	b := e.browser(t)
	id := b.submit(nil)
	assignment := e.engage(t, id, firstKey)
	e.apiDo(t, "POST", "/v1/assignments/"+assignment+"/ace-records", firstKey, map[string]any{"funding_source": "portfolio", "requested_usd": 100000}, 201)
	// A second partner for the re-route, created after the first decision:
	// it is not in it, and its name must never appear.
	e.createPartner(t, "Second Partner Inc", 10, 6)

	p := b.get("/status/" + id)
	wantText(t, p, "Harbor Cloud has accepted", "Why Harbor Cloud",
		"trailing-12-month close rate on submissions like yours",
		"trailing-12-month close rate on seed-stage submissions", "trailing-12-month close rate on EU submissions",
		"trailing-12-month close rate on B2B SaaS submissions", "trailing-12-month close rate on AI-heavy submissions",
		"trailing-12-month close rate on Build submissions", "36 approved of 40 decided outcomes",
		"Your credit plan", "Guidance, not a promise", "Activate Founders", "Activate Portfolio", "11–18 days",
		"Bedrock proof of concept", "14–28 days", "150,000 USD", "Example Ventures",
		"0 USD approved", "Credit applications your partner filed", "<th scope=\"row\">Activate Portfolio</th><td>Being drafted</td><td>100,000 USD</td><td>—</td>",
		"We did not connect: ask for another partner", "Withdraw this intake")
	wantNoText(t, p, "Second Partner Inc", `data-polling`)

	// The confirmation step, then a reason that is missing.
	confirm := b.get("/status/" + id + "/reroute")
	wantText(t, confirm, "Ask for another partner", "Tell us why you did not connect with Harbor Cloud", "Why did you not connect?")
	hidden := formOf(t, confirm)
	bad := b.post("/status/"+id+"/reroute", merge(hidden, url.Values{"reason": {"   "}}))
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("blank reason: %d", bad.status)
	}
	wantText(t, bad, "Your reason is required.", `aria-invalid="true"`)
	if s := e.intakeStatus(t, id); s != "engaged" {
		t.Fatalf("a refused reroute moved the intake to %s", s)
	}
	done := b.post("/status/"+id+"/reroute", merge(hidden, url.Values{"reason": {"They never called back."}}))
	if done.status != http.StatusSeeOther || done.header.Get("Location") != "/status/"+id+"?done=rerouted" {
		t.Fatalf("reroute: %d %s", done.status, done.header.Get("Location"))
	}
	if n := e.count(t, `SELECT count(*) FROM assignments WHERE intake_id = '`+id+`' AND status = 'released' AND end_reason = 'They never called back.'`); n != 1 {
		t.Fatal("the assignment was not released with the reason")
	}
	after := b.get(done.header.Get("Location"))
	wantText(t, after, "Done: your partner is released")
	wantNoText(t, after, "Why Harbor Cloud")
	// Not engaged any more: the step says so, and a post is refused.
	again := b.get("/status/" + id + "/reroute")
	wantText(t, again, "There is no accepted partner to move away from.")
	if p := b.post("/status/"+id+"/reroute", merge(hidden, url.Values{"reason": {"again"}})); p.status != http.StatusConflict {
		t.Errorf("reroute without a partner: %d", p.status)
	}

	// Withdraw, through its confirmation.
	w := b.get("/status/" + id + "/withdraw")
	wantText(t, w, "Withdraw this intake", "Withdraw my intake")
	wHidden := formOf(t, w)
	wd := b.post("/status/"+id+"/withdraw", merge(wHidden, url.Values{"reason": {"Raised elsewhere"}}))
	if wd.status != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", wd.status)
	}
	if s := e.intakeStatus(t, id); s != "withdrawn" {
		t.Fatalf("status %s", s)
	}
	final := b.get(wd.header.Get("Location"))
	wantText(t, final, "Done: your intake is withdrawn.", "Withdrawn")
	wantNoText(t, final, "Withdraw this intake", "ask for another partner")
	w2 := b.get("/status/" + id + "/withdraw")
	wantText(t, w2, "This intake cannot be withdrawn any more.")
	if p := b.post("/status/"+id+"/withdraw", wHidden); p.status != http.StatusConflict {
		t.Errorf("a second withdrawal: %d", p.status)
	}
}

func TestStatic(t *testing.T) {
	e := newEnv(t, 0)
	b := e.browser(t)
	home := b.get("/")
	for _, name := range []string{"app.css", "intake.js"} {
		m := regexp.MustCompile(`/static/` + regexp.QuoteMeta(name) + `\?v=([0-9a-f]+)`).FindStringSubmatch(home.body)
		if m == nil {
			t.Fatalf("the page does not link %s", name)
		}
		p := b.get(m[0])
		if p.status != 200 || !strings.Contains(p.header.Get("Cache-Control"), "immutable") || p.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %q", name, p.status, p.header.Get("Cache-Control"))
		}
		if stale := b.get("/static/" + name + "?v=old"); strings.Contains(stale.header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: an old version is cached for good", name)
		}
	}
	_ = time.Second
}

// TestWhyCurated: a partner CloudRoute's curator assigned, which the
// router had not scored, is named without any close rate.
func TestWhyCurated(t *testing.T) {
	e := newEnv(t, 0)
	e.startWorker(t)
	p := e.apiDo(t, "POST", "/v1/admin/partners", e.adminKey, map[string]any{"name": "Far Away Partners", "tier": "advanced",
		"regions": []string{"us_east"}, "contact_email": "ops@far.example.com", "capacity": 10}, 201)
	partnerID := p["id"].(string)
	key := e.apiDo(t, "POST", "/v1/admin/partners/"+partnerID+"/api-keys", e.adminKey, nil, 201)["key"].(string)
	b := e.browser(t)
	id := b.submit(nil) // in the EU: nobody serves it
	waitFor(t, "the intake to be unroutable", 15*time.Second, func() bool { return e.intakeStatus(t, id) == "unroutable" })
	wantText(t, b.get("/status/"+id), "Waiting for a partner", "data-polling")
	e.apiDo(t, "POST", "/v1/admin/intakes/"+id+"/assign", e.adminKey, map[string]any{"partner_id": partnerID, "reason": "covers the EU by exception"}, 200)
	e.engage(t, id, key)
	page := b.get("/status/" + id)
	wantText(t, page, "Far Away Partners has accepted", "Why Far Away Partners",
		"A CloudRoute curator chose Far Away Partners for you. Our routing figures for your profile do not include this partner, so we show no close rate for it.")
	wantNoText(t, page, "close rate on submissions like yours", "%")
}
