package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cloudroute/cloudroute/internal/browsertest"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// consolePassword passes the account rules; each person of the journey
// sets it from an invitation.
const consolePassword = "violet-anchor-quartz-meadow-71"

// inviteAdmin invites an admin through the API with the bootstrap key, as
// the first admin of a new installation is invited, and returns the link.
func (s *server) inviteAdmin(t *testing.T, email string) string {
	t.Helper()
	var inv struct {
		URL string `json:"invitation_url"`
	}
	if err := s.api(s.AdminKey).Do(context.Background(), "POST", "/v1/admin/users",
		map[string]string{"email": email, "name": "Curator", "role": "admin"}, 201, &inv); err != nil {
		t.Fatal(err)
	}
	return inv.URL
}

// acceptInvitation opens an invitation link and sets the password: the
// page's script takes the code from the link's fragment.
func acceptInvitation(t *testing.T, b *browsertest.Browser, link string) {
	t.Helper()
	b.Navigate(t, link)
	b.WaitForText(t, "Set your password")
	if strings.Contains(location(t, b), "#") {
		t.Error("the invitation's code stays in the address bar")
	}
	if strings.Contains(b.BodyText(t), "Paste the whole link") {
		t.Error("the page asks for the link although it came with it")
	}
	b.FillByLabel(t, "New password", consolePassword)
	b.FillByLabel(t, "The new password again", consolePassword)
	if st := b.ClickButtonAndWait(t, "Set my password"); st != 200 {
		t.Fatalf("setting the password: %d", st)
	}
	b.WaitForText(t, "Your password is set.")
}

// signIn signs in on the sign-in page the browser shows.
func signIn(t *testing.T, b *browsertest.Browser, email string) {
	t.Helper()
	b.FillByLabel(t, "Email", email)
	b.FillByLabel(t, "Password", consolePassword)
	if st := b.ClickButtonAndWait(t, "Sign in"); st != 200 {
		t.Fatalf("signing in as %s: %d", email, st)
	}
}

// look checks the page the browser shows with axe-core, checks that it
// fits the screen, and saves its screenshot as name.
func look(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	browsertest.Axe(t, b.Ctx)
	shot(t, b, name)
}

// reloadUntil reloads url until its text holds want: what a person does
// while a background job finishes.
func reloadUntil(t *testing.T, b *browsertest.Browser, url, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b.Navigate(t, url)
		if strings.Contains(b.BodyText(t), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not show %q within %s:\n%s", url, want, timeout, b.BodyText(t))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// writeCSV writes a track-record file for the import and returns its path.
func writeCSV(t *testing.T, name string, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	body := "decided_at,submitted_at,stage,region,vertical,service_profile,engagement_type,funding_source,outcome,requested_usd,approved_usd\n" +
		strings.Join(rows, "\n") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConsoleJourney is the console issue's "done", in a real browser
// against the real binary: an admin signs in, creates a partner, invites a
// user and imports a track record, one file refused for a bad row and a
// good one taken; the partner's user accepts the invitation, signs in,
// sees the offer a founder's intake makes, accepts it, files a record,
// sees what it misses, completes it and moves it to closed; the partner
// sees the statement and the admin settles it. Every page passes axe-core
// and fits a desktop and a 375 px phone.
func TestConsoleJourney(t *testing.T) {
	start := time.Now()
	admin := browsertest.New(t) // skips without chromium, unless CI=true
	srv := serve(t)
	admin.SetViewport(t, desktopWidth, desktopHeight)
	partner := browsertest.New(t)
	partner.SetViewport(t, desktopWidth, desktopHeight)
	phone := browsertest.New(t)
	phone.Phone(t)
	const adminEmail, partnerEmail = "curator@cloudroute.example", "alliances@harbor-cloud.example"

	t.Run("the admin signs in", func(t *testing.T) {
		// A page of the console sends a browser without a session to sign in.
		admin.Navigate(t, srv.URL+"/console/partners")
		admin.WaitForText(t, "Sign in to the console")
		look(t, admin, "console-sign-in-desktop")
		phone.Navigate(t, srv.URL+"/console/sign-in")
		look(t, phone, "console-sign-in-phone")
		// A wrong password says so, and nothing else.
		admin.FillByLabel(t, "Email", adminEmail)
		admin.FillByLabel(t, "Password", "not the password at all")
		if st := admin.ClickButtonAndWait(t, "Sign in"); st != 403 {
			t.Errorf("a wrong password: %d", st)
		}
		admin.WaitForText(t, "The email or the password is wrong.")
		browsertest.Axe(t, admin.Ctx)

		acceptInvitation(t, admin, srv.inviteAdmin(t, adminEmail))
		look(t, admin, "console-password-set-desktop")
		signIn(t, admin, adminEmail)
		admin.WaitForText(t, "No intakes yet.")
		look(t, admin, "console-intakes-empty-desktop")
	})

	var invitation string
	t.Run("the admin creates a partner and invites its user", func(t *testing.T) {
		admin.ClickLink(t, "Partners")
		admin.WaitForText(t, "No partners yet.")
		browsertest.Axe(t, admin.Ctx)
		admin.ClickLink(t, "New partner")
		admin.WaitForText(t, "Regions served")
		// Sent empty: every message at once.
		admin.FillByLabel(t, "Capacity", "")
		if st := admin.ClickButtonAndWait(t, "Create the partner"); st != 422 {
			t.Fatalf("an empty partner: %d", st)
		}
		admin.WaitForText(t, "answers need a fix")
		for _, msg := range []string{"Name is required.", "Contact email must be an email address.", "Tier must be one of",
			"Regions served must name at least one value."} {
			admin.WaitForText(t, msg)
		}
		look(t, admin, "console-partner-errors-desktop")
		admin.FillByLabel(t, "Name", "Harbor Cloud Partners")
		admin.FillByLabel(t, "Contact email", "alliances@harbor-cloud.example")
		admin.FillByLabel(t, "Tier", "Advanced")
		admin.CheckIn(t, "Regions served", "European Union")
		admin.CheckIn(t, "Regions served", "US East")
		admin.CheckIn(t, "Verticals (optional)", "B2B SaaS")
		admin.FillByLabel(t, "Capacity", "10")
		if st := admin.ClickButtonAndWait(t, "Create the partner"); st != 200 {
			t.Fatalf("creating the partner: %d", st)
		}
		admin.WaitForText(t, "The partner is saved.")
		admin.WaitForText(t, "No users yet")
		look(t, admin, "console-partner-desktop")

		admin.ClickLink(t, "Invite a user")
		admin.WaitForText(t, "Invite a user of Harbor Cloud Partners")
		admin.FillByLabel(t, "Email", partnerEmail)
		admin.FillByLabel(t, "Name (optional)", "Harbor Alliances")
		if st := admin.ClickButtonAndWait(t, "Create the invitation"); st != 201 {
			t.Fatalf("inviting: %d", st)
		}
		admin.WaitForText(t, "Invitation for "+partnerEmail+": pass on this link")
		look(t, admin, "console-invitation-link-desktop")
		ctx, cancel := context.WithTimeout(admin.Ctx, admin.Timeout)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("invitation-link").value`))
		if err != nil {
			t.Fatal(err)
		}
		invitation = v
		if !strings.HasPrefix(invitation, srv.URL+"/console/invitation#") {
			t.Fatalf("invitation link %q", invitation)
		}
	})
	if invitation == "" {
		t.FailNow()
	}

	t.Run("the admin imports a track record: one bad row refuses the file, then a good file", func(t *testing.T) {
		admin.ClickLink(t, "Done")
		admin.WaitForText(t, "Import a track record (CSV)")
		admin.ClickLink(t, "Import a track record (CSV)")
		admin.WaitForText(t, "The file's columns")
		browsertest.Axe(t, admin.Ctx)
		good := "2026-01-20,2026-01-06,series_a,eu,b2b_saas,ai_heavy,build,portfolio,approved,100000,100000"
		bad := writeCSV(t, "harbor-history.csv", good, good,
			"2026-01-21,2026-01-07,series_a,eu,b2b_saas,ai_heavy,build,portfolio,won,100000,100000", good)
		admin.UploadByLabel(t, "CSV file", bad)
		if st := admin.ClickButtonAndWait(t, "Import the file"); st != 422 {
			t.Fatalf("a file with a bad row: %d", st)
		}
		admin.WaitForText(t, "harbor-history.csv: not imported")
		admin.WaitForText(t, "Line 4: outcome must be")
		if body := admin.BodyText(t); strings.Contains(body, "Line 2:") || strings.Contains(body, "Line 3:") {
			t.Error("good rows are listed as bad")
		}
		look(t, admin, "console-import-errors-desktop")
		rows := []string{}
		for i := 0; i < 12; i++ {
			outcome, approved := "approved", "100000"
			if i%4 == 3 {
				outcome, approved = "rejected", ""
			}
			rows = append(rows, "2026-01-20,2026-01-06,series_a,eu,b2b_saas,ai_heavy,build,portfolio,"+outcome+",100000,"+approved)
		}
		admin.UploadByLabel(t, "CSV file", writeCSV(t, "harbor-history.csv", rows...))
		if st := admin.ClickButtonAndWait(t, "Import the file"); st != 200 {
			t.Fatalf("the good file: %d", st)
		}
		admin.WaitForText(t, "The track record is imported.")
		reloadUntil(t, admin, srv.URL+"/console/routing-index?axis=stage", "Harbor Cloud Partners", 30*time.Second)
		admin.WaitForText(t, "75%")
		look(t, admin, "console-routing-index-desktop")
	})

	t.Run("the partner's user accepts the invitation and signs in", func(t *testing.T) {
		acceptInvitation(t, partner, invitation)
		signIn(t, partner, partnerEmail)
		partner.WaitForText(t, "No offers are waiting.")
		look(t, partner, "console-inbox-empty-desktop")
	})

	t.Run("a founder submits; the partner sees the offer, profile only, and accepts", func(t *testing.T) {
		founder := browsertest.New(t)
		founder.Navigate(t, srv.URL+"/")
		fillIntake(t, founder, "Northwind Analytics")
		if st := founder.ClickButtonAndWait(t, "Send my intake"); st != 200 {
			t.Fatalf("sending the intake: %d", st)
		}
		reloadUntil(t, partner, srv.URL+"/console/inbox", "left", 30*time.Second)
		partner.WaitForText(t, "Series A · B2B SaaS · European Union")
		if strings.Contains(partner.BodyText(t), "Northwind") {
			t.Error("the inbox names the company before acceptance")
		}
		look(t, partner, "console-inbox-desktop")
		ctx, cancel := context.WithTimeout(partner.Ctx, partner.Timeout)
		defer cancel()
		href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[href^="/console/offers/"]').href`))
		if err != nil {
			t.Fatal(err)
		}
		// The countdown ticks without a reload.
		first := partner.Text(t, "[data-countdown]")
		time.Sleep(1200 * time.Millisecond)
		if partner.Text(t, "[data-countdown]") == first {
			t.Errorf("the countdown does not tick: %q", first)
		}
		partner.Navigate(t, href)
		partner.WaitForText(t, "Accept the offer")
		if body := partner.BodyText(t); strings.Contains(body, "Northwind") || strings.Contains(body, "ada@") {
			t.Error("the offer shows the customer before acceptance")
		}
		look(t, partner, "console-offer-desktop")
		phone.Navigate(t, href)
		phone.WaitForText(t, "Sign in to the console")
		signIn(t, phone, partnerEmail)
		phone.WaitForText(t, "Accept the offer")
		look(t, phone, "console-offer-phone")
		partner.ClickLink(t, "Decline…")
		partner.WaitForText(t, "Decline this offer")
		look(t, partner, "console-decline-desktop")
		partner.ClickLink(t, "Keep the offer")
		partner.WaitForText(t, "Accept the offer")
		if st := partner.ClickButtonAndWait(t, "Accept the offer"); st != 200 {
			t.Fatalf("accepting: %d", st)
		}
		partner.WaitForText(t, "You accepted the offer.")
		partner.WaitForText(t, "ada@northwind-analytics.example")
		look(t, partner, "console-engagement-desktop")
	})

	t.Run("the partner files a record, sees what it misses, completes it and closes it", func(t *testing.T) {
		partner.FillByLabel(t, "Funding pool", "Activate Founders (5,000–25,000 USD)")
		partner.FillByLabel(t, "Requested amount", "25,000")
		if st := partner.ClickButtonAndWait(t, "Create the record"); st != 200 {
			t.Fatalf("creating the record: %d", st)
		}
		partner.WaitForText(t, "Before you submit: 5 fields are missing")
		for _, msg := range []string{"Estimated annual AWS spend after the credits is required.", "Partner role is required.",
			"Customer AWS account ID is required, or set the new-account box for a new account.",
			"Engagement start date is required.", "Go-live date is required."} {
			partner.WaitForText(t, msg)
		}
		look(t, partner, "console-record-missing-desktop")
		phone.Navigate(t, location(t, partner))
		phone.WaitForText(t, "Before you submit")
		look(t, phone, "console-record-missing-phone")
		// A link of the list puts the focus in its field.
		partner.ClickLink(t, "Partner role is required.")
		if got := partner.Focused(t); got != `textarea "Partner role"` {
			t.Errorf("the focus is on %s", got)
		}
		partner.FillByLabel(t, "Estimated annual AWS spend after the credits", "180,000")
		partner.FillByLabel(t, "Partner role", "We move the analytics stack to ECS and build the Bedrock summaries with the team.")
		partner.Check(t, "The customer gets a new AWS account (no ID yet)")
		partner.FillByLabel(t, "Engagement start date", "2026-03-01")
		partner.FillByLabel(t, "Go-live date", "2026-06-01")
		if st := partner.ClickButtonAndWait(t, "Save the record"); st != 200 {
			t.Fatalf("saving: %d", st)
		}
		partner.WaitForText(t, "Ready to submit")
		for _, step := range []struct{ button, then string }{
			{"Submit to AWS", "Mark validated"},
			{"Mark validated", "Record the approval…"},
		} {
			if st := partner.ClickButtonAndWait(t, step.button); st != 200 {
				t.Fatalf("%s: %d", step.button, st)
			}
			partner.WaitForText(t, step.then)
		}
		look(t, partner, "console-record-validated-desktop")
		record, _, _ := strings.Cut(location(t, partner), "?")
		partner.ClickLink(t, "PDM brief")
		partner.WaitForText(t, "PDM brief: Northwind Analytics")
		partner.WaitForText(t, "Copy the brief")
		look(t, partner, "console-brief-desktop")
		partner.Navigate(t, record+"/move?to=withdrawn")
		partner.WaitForText(t, "Withdrawing ends this record")
		look(t, partner, "console-withdraw-desktop")
		partner.ClickLink(t, "Keep the record as it is")
		partner.WaitForText(t, "Record the approval…")
		partner.ClickLink(t, "Record the approval…")
		partner.WaitForText(t, "Record what AWS approved")
		look(t, partner, "console-approval-desktop")
		partner.FillByLabel(t, "Approved amount", "20,000")
		if st := partner.ClickButtonAndWait(t, "Record the approval"); st != 200 {
			t.Fatalf("approving: %d", st)
		}
		for _, step := range []struct{ button, then string }{
			{"Mark launched", "Close the engagement"},
			{"Close the engagement", "Closed"},
		} {
			partner.WaitForText(t, step.button)
			if st := partner.ClickButtonAndWait(t, step.button); st != 200 {
				t.Fatalf("%s: %d", step.button, st)
			}
			partner.WaitForText(t, step.then)
		}
		body := partner.BodyText(t)
		for _, s := range []string{"approved 20,000 USD", "Identified (draft) → Submitted", "Launched → Closed", "by " + partnerEmail} {
			if !strings.Contains(body, s) {
				t.Errorf("the closed record lacks %q", s)
			}
		}
		look(t, partner, "console-record-closed-desktop")
	})

	month := time.Now().UTC().Format("2006-01")
	t.Run("the partner sees the statement", func(t *testing.T) {
		reloadUntil(t, partner, srv.URL+"/console/statements", "Commission on", 30*time.Second)
		partner.WaitForText(t, "2,000.00 USD")
		look(t, partner, "console-statements-partner-desktop")
		phone.Navigate(t, srv.URL+"/console/statements")
		look(t, phone, "console-statements-partner-phone")
		for _, p := range []struct{ path, want, name string }{
			{"/console/health", "Submission cadence", "console-health"},
			{"/console/keys", "Issue a key", "console-keys"},
			{"/console/engagements", "Completed", "console-engagements"},
		} {
			partner.Navigate(t, srv.URL+p.path)
			partner.WaitForText(t, p.want)
			look(t, partner, p.name+"-desktop")
			phone.Navigate(t, srv.URL+p.path)
			phone.WaitForText(t, p.want)
			look(t, phone, p.name+"-phone")
		}
	})

	t.Run("the admin settles the statement", func(t *testing.T) {
		// The month ends: its statement closes and may be invoiced.
		db := testenv.MustOpenSQL(t, srv.DatabaseURL)
		if _, err := db.Exec(`UPDATE statements SET closed_at = now() WHERE closed_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		admin.ClickLink(t, "Statements")
		admin.WaitForText(t, "Balanced")
		admin.WaitForText(t, "Mark invoiced…")
		look(t, admin, "console-statements-admin-desktop")
		admin.ClickLink(t, "Mark invoiced… "+month+" Harbor Cloud Partners")
		admin.WaitForText(t, "Marking it invoiced")
		look(t, admin, "console-settle-desktop")
		if st := admin.ClickButtonAndWait(t, "Mark invoiced"); st != 422 {
			t.Errorf("no reference: %d", st)
		}
		admin.WaitForText(t, "Reference is required.")
		admin.FillByLabel(t, "Reference", "INV-2026-001")
		if st := admin.ClickButtonAndWait(t, "Mark invoiced"); st != 200 {
			t.Fatalf("invoicing: %d", st)
		}
		admin.WaitForText(t, "INV-2026-001")
		admin.ClickLink(t, "Mark paid… "+month+" Harbor Cloud Partners")
		admin.WaitForText(t, "Marking it paid")
		admin.FillByLabel(t, "Reference", "PAY-0042")
		if st := admin.ClickButtonAndWait(t, "Mark paid"); st != 200 {
			t.Fatalf("paying: %d", st)
		}
		admin.WaitForText(t, "PAY-0042")
		admin.WaitForText(t, "Paid")
		partner.Navigate(t, srv.URL+"/console/statements")
		partner.WaitForText(t, "PAY-0042")
	})

	t.Run("every admin page passes axe and fits a phone", func(t *testing.T) {
		// The phone is the partner's: sign it out, then in as the admin.
		phone.Navigate(t, srv.URL+"/console/inbox")
		phone.ClickButtonAndWait(t, "Sign out")
		phone.WaitForText(t, "You are signed out.")
		signIn(t, phone, adminEmail)
		admin.Navigate(t, srv.URL+"/console/intakes?view=all")
		admin.WaitForText(t, "Northwind Analytics")
		look(t, admin, "console-intakes-desktop")
		admin.ClickLink(t, "Northwind Analytics")
		admin.WaitForText(t, "Routing decisions")
		admin.WaitForText(t, "wins of")
		intake := location(t, admin)
		look(t, admin, "console-intake-desktop")
		for _, p := range []struct{ path, want, name string }{
			{strings.TrimPrefix(intake, srv.URL), "Routing decisions", "console-intake"},
			{"/console/intakes?view=all", "Northwind Analytics", "console-intakes"},
			{"/console/partners", "Harbor Cloud Partners", "console-partners"},
			{"/console/partners/new", "Regions served", "console-partner-new"},
			{"/console/users", adminEmail, "console-users"},
			{"/console/settings", "Audit trail", "console-settings"},
			{"/console/routing-index", "Harbor Cloud Partners", "console-routing-index"},
			{"/console/what-if?stage=series_a&region=eu&vertical=b2b_saas&service_profile=ai_heavy&engagement_type=build&pools=portfolio",
				"The router would offer it to Harbor Cloud Partners", "console-what-if"},
			{"/console/metrics", "Commission accrued and paid", "console-metrics"},
			{"/console/statements", "Reconciliation", "console-statements-admin"},
		} {
			if !strings.HasSuffix(p.name, "intake") && !strings.HasSuffix(p.name, "intakes") {
				admin.Navigate(t, srv.URL+p.path)
				admin.WaitForText(t, p.want)
				look(t, admin, p.name+"-desktop")
			}
			phone.Navigate(t, srv.URL+p.path)
			phone.WaitForText(t, p.want)
			look(t, phone, p.name+"-phone")
		}
		// The partner's pages are closed to the admin, and the admin's to
		// the partner.
		if st := partner.Navigate(t, srv.URL+"/console/settings"); st != 403 {
			t.Errorf("a partner on the settings: %d", st)
		}
		partner.WaitForText(t, "This page is not for your account")
		browsertest.Axe(t, partner.Ctx)
	})
	t.Run("the other console pages pass axe and fit a phone", func(t *testing.T) {
		db := testenv.MustOpenSQL(t, srv.DatabaseURL)
		var ids struct {
			Partner    string `db:"partner"`
			Intake     string `db:"intake"`
			Assignment string `db:"assignment"`
			Statement  string `db:"statement"`
			User       string `db:"usr"`
		}
		if err := db.Get(&ids, `SELECT (SELECT id FROM partners LIMIT 1) AS partner, (SELECT id FROM intakes LIMIT 1) AS intake,
			(SELECT id FROM assignments LIMIT 1) AS assignment, (SELECT id FROM statements LIMIT 1) AS statement,
			(SELECT id FROM users WHERE email = $1) AS usr`, partnerEmail); err != nil {
			t.Fatal(err)
		}
		// A key of the partner's own, issued in its console: shown once.
		partner.Navigate(t, srv.URL+"/console/keys")
		partner.FillByLabel(t, "Label (optional)", "Our CRM")
		if st := partner.ClickButtonAndWait(t, "Issue a key"); st != 201 {
			t.Fatalf("issuing a key: %d", st)
		}
		partner.WaitForText(t, "Your new key: copy it now")
		look(t, partner, "console-key-issued-desktop")
		partner.Navigate(t, srv.URL+"/console/keys")
		if strings.Contains(partner.BodyText(t), "cr_live_") && strings.Contains(partner.BodyText(t), "copy it now") {
			t.Error("the key is shown again")
		}
		var key string
		if err := db.Get(&key, `SELECT id FROM api_keys WHERE label = 'Our CRM'`); err != nil {
			t.Fatal(err)
		}
		pages := []struct{ who, path, want string }{
			{"admin", "/console/partners/" + ids.Partner, "Pipeline health"},
			{"admin", "/console/partners/" + ids.Partner + "/edit", "Edit Harbor Cloud Partners"},
			{"admin", "/console/partners/" + ids.Partner + "/invite", "Invite a user of Harbor Cloud Partners"},
			{"admin", "/console/partners/" + ids.Partner + "/track-record", "The file's columns"},
			{"admin", "/console/partners/" + ids.Partner + "/adjustment", "Commission adjustment for Harbor Cloud Partners"},
			{"admin", "/console/partners/" + ids.Partner + "/keys/" + key + "/revoke", "Revoke this API key"},
			{"admin", "/console/users/invite", "Invite an admin"},
			{"admin", "/console/users/" + ids.User + "/disable", "Disable " + partnerEmail},
			{"admin", "/console/intakes/" + ids.Intake + "/assign", "Assign a partner to Northwind Analytics"},
			{"admin", "/console/intakes/" + ids.Intake + "/release", "No partner holds this intake"},
			{"admin", "/console/statements/" + ids.Statement + "/settle", "nothing left to settle"},
			{"admin", "/console/password", "Change your password"},
			{"partner", "/console/inbox", "No offers are waiting."},
			{"partner", "/console/engagements/" + ids.Assignment, "ACE records"},
			{"partner", "/console/keys/" + key + "/revoke", "Revoke this API key"},
			{"partner", "/console/password", "Change your password"},
			{"partner", "/console/intakes", "This page is not for your account"},
			{"partner", "/console/records/00000000-0000-4000-8000-000000000000", "Not found"},
		}
		run := func(who string, b *browsertest.Browser, name string) {
			for _, p := range pages {
				if p.who != who {
					continue
				}
				b.Navigate(t, srv.URL+p.path)
				b.WaitForText(t, p.want)
				browsertest.Axe(t, b.Ctx)
				if over := b.HorizontalOverflow(t); over > 0 {
					t.Errorf("%s on a %s: %d px wider than the screen; widest: %s", p.path, name, over, overflowing(t, b))
				}
			}
		}
		run("admin", admin, "desktop")
		run("admin", phone, "phone")
		run("partner", partner, "desktop")
		phone.Navigate(t, srv.URL+"/console/password")
		phone.ClickButtonAndWait(t, "Sign out")
		signIn(t, phone, partnerEmail)
		run("partner", phone, "phone")
		for _, p := range []string{"/console/inbox", "/console/engagements/" + ids.Assignment} {
			phone.Navigate(t, srv.URL+p)
			look(t, phone, "console-"+map[bool]string{true: "inbox", false: "engagement"}[p == "/console/inbox"]+"-phone")
		}
		// A revoke, confirmed: the key stops working.
		partner.Navigate(t, srv.URL+"/console/keys/"+key+"/revoke")
		if st := partner.ClickButtonAndWait(t, "Revoke the key"); st != 200 {
			t.Fatalf("revoking: %d", st)
		}
		partner.WaitForText(t, "The key is revoked")
	})
	t.Logf("console journey: %s", time.Since(start).Round(time.Second))
}
