package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cloudroute/cloudroute/internal/browsertest"
)

// Desktop is the window of the desktop screenshots.
const (
	desktopWidth  = 1280
	desktopHeight = 900
)

// shot saves a screenshot of the page for docs/screenshots when
// UPDATE_SCREENSHOTS=1, and checks on every run that the page fits the
// screen it is shown on.
func shot(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	if over := b.HorizontalOverflow(t); over > 0 {
		t.Errorf("%s: the page is %d px wider than the screen; widest: %s", name, over, overflowing(t, b))
	}
	if os.Getenv("UPDATE_SCREENSHOTS") != "1" {
		return
	}
	b.Screenshot(t, filepath.Join(browsertest.RepoRoot(t), "docs", "screenshots", name+".png"))
}

// overflowing names the elements that reach past the right edge of the
// screen, outermost first, to say what makes a page too wide.
func overflowing(t *testing.T, b *browsertest.Browser) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
		const w = document.documentElement.clientWidth, out = [];
		for (const el of document.querySelectorAll("body *")) {
			const r = el.getBoundingClientRect();
			if (r.right > w + 1 && !el.closest(".table-scroll *")) {
				out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ").join(".") : "") + " " + Math.round(r.right));
			}
			if (out.length >= 6) break;
		}
		return out.join(", ");
	})()`))
	if err != nil {
		return err.Error()
	}
	return s
}

// location is the address the tab shows.
func location(t *testing.T, b *browsertest.Browser) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// waitFocused waits until the focused element, as Browser.Focused says it,
// starts with want: the pages' script moves the focus once it has run,
// which may be a moment after the text shows.
func waitFocused(t *testing.T, b *browsertest.Browser, want string) {
	t.Helper()
	deadline := time.Now().Add(b.Timeout)
	for {
		got := b.Focused(t)
		if strings.HasPrefix(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("the focus is on %s, want %s…", got, want)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var statusURL = regexp.MustCompile(`/status/([0-9a-f-]{36})$`)

// fillIntake fills in every field of the form by its label, as a founder
// does, with the example the partner's track record is about.
func fillIntake(t *testing.T, b *browsertest.Browser, company string) {
	t.Helper()
	b.FillByLabel(t, "Company name", company)
	b.FillByLabel(t, "Website", "https://www.northwind-analytics.example/")
	b.FillByLabel(t, "Team size", "22")
	b.FillByLabel(t, "Industry", "B2B SaaS")
	b.FillByLabel(t, "Region", "European Union")
	b.FillByLabel(t, "Funding stage", "Series A")
	b.FillByLabelIn(t, "Last funding round", "Round name", "Series A")
	b.FillByLabelIn(t, "Last funding round", "Amount raised in USD", "9,000,000")
	b.FillByLabelIn(t, "Last funding round", "Lead investor (optional)", "Example Ventures")
	b.FillByLabelIn(t, "Last funding round", "Closing date", "2026-01-15")
	b.CheckIn(t, "What your AWS usage is mostly", "AI-heavy")
	b.CheckIn(t, "Engagement type", "Build")
	b.FillByLabel(t, "Where you run today", "Nowhere else: we are new, or already on AWS")
	b.FillByLabelIn(t, "Line 1", "Service", "EC2")
	b.FillByLabelIn(t, "Line 1", "Monthly USD", "7,000")
	b.ClickButton(t, "Add a line")
	b.FillByLabelIn(t, "Line 2", "Service", "Bedrock")
	b.FillByLabelIn(t, "Line 2", "Monthly USD", "3000")
	b.FillByLabel(t, "What you are building on AWS",
		"A customer success platform on EC2, RDS and S3, with a Bedrock summarisation feature for support conversations.")
	b.Check(t, "Activate Portfolio")
	b.Check(t, "Bedrock proof of concept")
	b.FillByLabelIn(t, "Technical contact", "Name", "Ada Lovelace")
	b.FillByLabelIn(t, "Technical contact", "Email", "ada@northwind-analytics.example")
	b.FillByLabelIn(t, "Business contact", "Name", "Grace Hopper")
	b.FillByLabelIn(t, "Business contact", "Email", "grace@northwind-analytics.example")
	b.Check(t, "I agree that CloudRoute shares these details with the one partner it matches me with")
}

// TestFounderJourney is the "done": a founder opens the form,
// sends it empty and sees every error at once, corrects it and sends it,
// watches the status turn offered without reloading, sees the partner's
// name, why this partner and the credit plan once the partner accepts
// through the API, opens the private link in another browser, asks for
// another partner with a reason, and withdraws. Every page passes axe-core
// and fits a desktop and a 375 px phone screen.
func TestFounderJourney(t *testing.T) {
	b := browsertest.New(t) // skips without chromium, unless CI=true
	srv := serve(t)
	const outcomes = 48
	_, partnerKey := srv.partner(t, "Harbor Cloud Partners", outcomes)

	b.SetViewport(t, desktopWidth, desktopHeight)
	phone := browsertest.New(t)
	phone.Phone(t)

	t.Run("the form", func(t *testing.T) {
		if st := b.Navigate(t, srv.URL+"/"); st != 200 {
			t.Fatalf("GET /: %d", st)
		}
		b.WaitForText(t, "Start in 3 minutes →")
		browsertest.Axe(t, b.Ctx)
		shot(t, b, "form-desktop")
		phone.Navigate(t, srv.URL+"/")
		browsertest.Axe(t, phone.Ctx)
		shot(t, phone, "form-phone")
	})

	t.Run("pre-seed hides the last round", func(t *testing.T) {
		b.FillByLabel(t, "Funding stage", "Pre-seed")
		body := b.BodyText(t)
		if strings.Contains(body, "Last funding round") {
			t.Error("the last round is shown for pre-seed")
		}
		b.FillByLabel(t, "Funding stage", "Seed")
		b.WaitForText(t, "Last funding round")
	})

	t.Run("every error at once", func(t *testing.T) {
		b.Navigate(t, srv.URL+"/")
		if st := b.ClickButtonAndWait(t, "Send my intake"); st != 422 {
			t.Fatalf("sending the empty form: %d, want 422", st)
		}
		b.WaitForText(t, "answers need a fix")
		for _, msg := range []string{
			"Company name is required", "Website is required", "Team size is required", "Industry is required",
			"Region is required", "Funding stage is required", "What your AWS usage is mostly is required",
			"Engagement type is required", "Where you run today is required",
			"Projected monthly AWS spend is required: list at least one service", "What you are building is required",
			"Your choice of credits is required: request at least one funding source", "Technical contact's name is required",
			"Technical contact's email is required", "Business contact's name is required",
			"Business contact's email is required", "Consent is required",
		} {
			b.WaitForText(t, msg)
		}
		waitFocused(t, b, `div "`) // the error summary, named by its text
		browsertest.Axe(t, b.Ctx)
		shot(t, b, "form-errors-desktop")
		phone.Navigate(t, srv.URL+"/")
		phone.ClickButtonAndWait(t, "Send my intake")
		phone.WaitForText(t, "answers need a fix")
		browsertest.Axe(t, phone.Ctx)
		shot(t, phone, "form-errors-phone")

		// A summary link puts the focus in its field.
		b.ClickLink(t, "Company name is required")
		if got := b.Focused(t); got != `input "Company name"` {
			t.Errorf("after the summary link the focus is on %s", got)
		}
	})

	var id, link string
	t.Run("correct and send", func(t *testing.T) {
		fillIntake(t, b, "Northwind Analytics")
		if st := b.ClickButtonAndWait(t, "Send my intake"); st != 200 {
			t.Fatalf("sending: %d", st)
		}
		b.WaitForText(t, "Save this link")
		u := location(t, b)
		m := statusURL.FindStringSubmatch(u)
		if m == nil {
			t.Fatalf("after sending, the browser is at %s", u)
		}
		id = m[1]
		ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("private-link").value`))
		if err != nil {
			t.Fatal(err)
		}
		link = v
		if !strings.HasPrefix(link, srv.URL+"/status/"+id+"#cr_intake_") {
			t.Fatalf("private link %q", link)
		}
		if strings.Contains(u, "cr_intake_") {
			t.Fatal("the token is in the address bar")
		}
	})
	if id == "" {
		t.FailNow()
	}

	t.Run("the status turns offered by itself", func(t *testing.T) {
		b.WaitForText(t, "Offered to a partner")
		b.WaitForText(t, "We show its name here once it accepts")
		browsertest.Axe(t, b.Ctx)
		shot(t, b, "status-offered-desktop")
	})

	t.Run("another browser opens the private link", func(t *testing.T) {
		// Without the link, the page asks for it and shows nothing.
		phone.Navigate(t, srv.URL+"/status/"+id)
		phone.WaitForText(t, "Open your intake")
		if strings.Contains(phone.BodyText(t), "Northwind") {
			t.Fatal("the page shows the intake without access")
		}
		browsertest.Axe(t, phone.Ctx)
		shot(t, phone, "access-phone")
		// On a desktop, the same page (for an intake that may or may not
		// exist: it looks the same).
		b2 := browsertest.New(t)
		b2.SetViewport(t, desktopWidth, desktopHeight)
		b2.Navigate(t, srv.URL+"/status/"+id)
		b2.WaitForText(t, "Private link or access token")
		shot(t, b2, "access-desktop")
		// Pasting a wrong token says so.
		phone.FillByLabel(t, "Private link or access token", "cr_intake_not-the-right-one")
		if st := phone.ClickButtonAndWait(t, "Open my intake"); st != 403 {
			t.Errorf("a wrong token: %d, want 403", st)
		}
		phone.WaitForText(t, "does not open this intake")
		browsertest.Axe(t, phone.Ctx)
		// The link itself: its script posts the fragment and forgets it.
		phone.Navigate(t, link)
		phone.WaitForText(t, "Northwind Analytics: your intake")
		phone.WaitForText(t, "Offered to a partner")
		if u := location(t, phone); strings.Contains(u, "#") || strings.Contains(u, "cr_intake_") {
			t.Errorf("the address still carries the token: %s", u)
		}
		if strings.Contains(phone.BodyText(t), "Save this link") {
			t.Error("the link is shown again")
		}
		browsertest.Axe(t, phone.Ctx)
		shot(t, phone, "status-offered-phone")
	})

	t.Run("the partner accepts; its name, why and the credit plan", func(t *testing.T) {
		assignment := srv.accept(t, partnerKey, id)
		// No reload: the page refreshes itself.
		b.WaitForText(t, "Harbor Cloud Partners has accepted")
		b.WaitForText(t, "Why Harbor Cloud Partners")
		// The partner drafts its first record; reloaded, the page shows it,
		// and no longer the private link.
		srv.draft(t, partnerKey, assignment, "portfolio", 100_000)
		b.Navigate(t, srv.URL+"/status/"+id)
		b.WaitForText(t, "Why Harbor Cloud Partners")
		body := b.BodyText(t)
		rows := trackRecord(outcomes)
		for _, a := range []struct{ axis, value, phrase string }{
			{"stage", "series_a", "Series-A"}, {"region", "eu", "EU"}, {"vertical", "b2b_saas", "B2B SaaS"},
			{"service_profile", "ai_heavy", "AI-heavy"}, {"engagement_type", "build", "Build"},
		} {
			wins, decided := cell(rows, a.axis, a.value)
			want := fmt.Sprintf("trailing-12-month close rate on %s submissions (%d approved of %d decided outcomes)", a.phrase, wins, decided)
			if !strings.Contains(body, want) {
				t.Errorf("the status page lacks %q", want)
			}
		}
		for _, want := range []string{
			"trailing-12-month close rate on submissions like yours",
			"above the 70% threshold", "Rates are confidence-adjusted",
			"Your credit plan", "Guidance, not a promise", "Activate Portfolio", "50,000–100,000 USD", "typically 11–18 days",
			"Bedrock proof of concept", "typically 14–28 days", "Activate Founders", "instead of Activate Portfolio",
			"150,000 USD stacked ceiling", "Example Ventures", "0 USD approved",
			"Credit applications your partner filed", "Being drafted", "100,000 USD",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the status page lacks %q", want)
			}
		}
		if strings.Contains(body, "Save this link") {
			t.Error("the private link is shown again")
		}
		browsertest.Axe(t, b.Ctx)
		shot(t, b, "status-engaged-desktop")
		phone.Navigate(t, srv.URL+"/status/"+id)
		phone.WaitForText(t, "Why Harbor Cloud Partners")
		browsertest.Axe(t, phone.Ctx)
		shot(t, phone, "status-engaged-phone")
	})

	t.Run("we did not connect", func(t *testing.T) {
		b.ClickLink(t, "We did not connect: ask for another partner")
		b.WaitForText(t, "Tell us why you did not connect with Harbor Cloud Partners")
		browsertest.Axe(t, b.Ctx)
		shot(t, b, "reroute-desktop")
		if st := b.ClickButtonAndWait(t, "Ask for another partner"); st != 422 {
			t.Fatalf("no reason: %d, want 422", st)
		}
		b.WaitForText(t, "Your reason is required.")
		browsertest.Axe(t, b.Ctx)
		phone.Navigate(t, srv.URL+"/status/"+id+"/reroute")
		phone.WaitForText(t, "Why did you not connect?")
		browsertest.Axe(t, phone.Ctx)
		shot(t, phone, "reroute-phone")

		b.FillByLabel(t, "Why did you not connect?", "We booked a call twice and nobody joined.")
		if st := b.ClickButtonAndWait(t, "Ask for another partner"); st != 200 {
			t.Fatalf("re-route: %d", st)
		}
		b.WaitForText(t, "Done: your partner is released")
		// Harbor Cloud was the only partner: nobody else fits, for now.
		b.WaitForText(t, "Waiting for a partner")
		if strings.Contains(b.BodyText(t), "Why Harbor Cloud") {
			t.Error("the released partner is still shown")
		}
		browsertest.Axe(t, b.Ctx)
		shot(t, b, "status-waiting-desktop")
		phone.Navigate(t, srv.URL+"/status/"+id)
		phone.WaitForText(t, "Waiting for a partner")
		browsertest.Axe(t, phone.Ctx)
		shot(t, phone, "status-waiting-phone")
	})

	t.Run("withdraw", func(t *testing.T) {
		b.ClickLink(t, "Withdraw this intake")
		b.WaitForText(t, "Withdrawing ends the intake of Northwind Analytics")
		browsertest.Axe(t, b.Ctx)
		shot(t, b, "withdraw-desktop")
		phone.Navigate(t, srv.URL+"/status/"+id+"/withdraw")
		phone.WaitForText(t, "Withdraw my intake")
		browsertest.Axe(t, phone.Ctx)
		shot(t, phone, "withdraw-phone")
		b.FillByLabel(t, "Why are you withdrawing? (optional)", "We raised a larger round and have moved on.")
		if st := b.ClickButtonAndWait(t, "Withdraw my intake"); st != 200 {
			t.Fatalf("withdraw: %d", st)
		}
		b.WaitForText(t, "Done: your intake is withdrawn.")
		b.WaitForText(t, "You withdrew this intake")
		browsertest.Axe(t, b.Ctx)
		shot(t, b, "status-withdrawn-desktop")
		phone.Navigate(t, srv.URL+"/status/"+id)
		phone.WaitForText(t, "You withdrew this intake")
		browsertest.Axe(t, phone.Ctx)
		shot(t, phone, "status-withdrawn-phone")
	})

	// No token ever reached the server's log.
	time.Sleep(200 * time.Millisecond)
	if strings.Contains(srv.out.String(), "cr_intake_") {
		t.Errorf("an access token is in the server's log")
	}
}

// TestKeyboard: the form is used with the keyboard alone.
func TestKeyboard(t *testing.T) {
	b := browsertest.New(t)
	srv := serve(t)
	b.SetViewport(t, desktopWidth, desktopHeight)
	b.Navigate(t, srv.URL+"/")

	// The order of the page: skip link, home, the call to action...
	for i, w := range []string{`a "Skip to the content"`, `a "CloudRoute"`, `a "Start in 3 minutes →"`} {
		b.PressTab(t)
		if got := b.Focused(t); got != w {
			t.Fatalf("Tab %d: focus on %s, want %s", i+1, got, w)
		}
	}
	// ...which takes the focus to the first field...
	b.PressEnter(t)
	if got := b.Focused(t); got != `input "Company name"` {
		t.Fatalf("after the call to action the focus is on %s", got)
	}
	b.Press(t, "Keyboard Startup")
	// ...then the fields in the order they are read.
	for i, w := range []string{`input "Website"`, `input "Team size"`, `select "Industry"`, `select "Region"`,
		`select "Funding stage"`, `input "Round name"`} {
		b.PressTab(t)
		if got := b.Focused(t); got != w {
			t.Fatalf("Tab %d after Company name: focus on %s, want %s", i+1, got, w)
		}
	}

	// "Add a line" by keyboard puts the focus in the new line.
	ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-add-line]").focus()`)); err != nil {
		t.Fatal(err)
	}
	b.PressEnter(t)
	if got := b.Focused(t); got != `select "Service"` {
		t.Fatalf("after Add a line the focus is on %s", got)
	}
	b.WaitForText(t, "Line 2")

	// Sending from the keyboard: Enter in a field sends the form, and the
	// summary of what is missing takes the focus.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("company_name").focus()`)); err != nil {
		t.Fatal(err)
	}
	b.PressEnter(t)
	b.WaitForText(t, "answers need a fix")
	waitFocused(t, b, `div "`) // the error summary, named by its text
	b.PressTab(t)
	if got := b.Focused(t); !strings.HasPrefix(got, `a "Website is required"`) {
		t.Errorf("Tab from the summary: %s", got)
	}
	b.PressEnter(t)
	if got := b.Focused(t); got != `input "Website"` {
		t.Errorf("the summary link leads to %s", got)
	}
	b.Press(t, "keyboard-startup.example")
}
