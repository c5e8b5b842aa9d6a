package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

var partnerLocation = regexp.MustCompile(`^/console/partners/([0-9a-f-]{36})\?done=partner$`)

// upload posts a file as the import page's multipart form does.
func (b *browser) upload(path, name, content string) page {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", b.csrf().Get("csrf_token"))
	fw, _ := w.CreateFormFile("file", name)
	fw.Write([]byte(content))
	w.Close()
	req, _ := http.NewRequest("POST", b.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

const csvHeader = "decided_at,submitted_at,stage,region,vertical,service_profile,engagement_type,funding_source,outcome,requested_usd,approved_usd\n"

func csvRow(outcome string) string {
	approved := ""
	if outcome == "approved" {
		approved = "100000"
	}
	return "2026-01-20,2026-01-06,seed,eu,b2b_saas,ai_heavy,build,portfolio," + outcome + ",100000," + approved + "\n"
}

func TestConsoleAdminPartners(t *testing.T) {
	e := newEnv(t, 0)
	b := e.console(t, domain.RoleAdmin, "")

	mustSee(t, b.get("/console/partners"), "No partners yet.")
	var pid string
	t.Run("create: every error at once, input kept, nothing written", func(t *testing.T) {
		mustSee(t, b.get("/console/partners/new"), "New partner", "Regions served", "Exclusions", "Engagement type")
		res := b.postForm("/console/partners/new", url.Values{"name": {"Harbor <b>Cloud</b>"}, "tier": {"platinum"}, "capacity": {"ten"},
			"contact_email": {"not an email"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", res.status)
		}
		mustSee(t, res, "Capacity must be a whole number.", `value="Harbor <b>Cloud</b>"`)
		if strings.Contains(res.body, "<b>Cloud</b>") {
			t.Error("what was typed is markup on the page")
		}
		res = b.postForm("/console/partners/new", url.Values{"name": {""}, "tier": {"platinum"}, "contact_email": {"not an email"}})
		mustSee(t, res, "Tier must be one of registered, select, advanced, premier.", "Regions served must name at least one value.",
			"Contact email must be an email address.")
		if n := e.count(t, `SELECT count(*) FROM partners`); n != 0 {
			t.Fatalf("%d partners written", n)
		}
		res = b.postForm("/console/partners/new", url.Values{"name": {"Harbor Cloud"}, "tier": {"advanced"}, "regions": {"eu", "us_east"},
			"verticals": {"b2b_saas"}, "capacity": {"5"}, "commission_bps": {"1200"}, "status": {"active"},
			"contact_email": {"alliances@harbor.example.com"}, "excluded_axis_values.stage": {"pre_seed"}})
		m := partnerLocation.FindStringSubmatch(res.header.Get("Location"))
		if res.status != 303 || m == nil {
			t.Fatalf("create: %d %q\n%s", res.status, res.header.Get("Location"), excerpt(stripTags(res.body)))
		}
		pid = m[1]
		p := b.get("/console/partners/" + pid)
		mustSee(t, p, "Harbor Cloud", "Advanced", "European Union, US East", "12%", "Stage: Pre-seed", "No users yet", "No keys yet")
	})
	if pid == "" {
		t.FailNow()
	}

	t.Run("edit, pause and unpause", func(t *testing.T) {
		p := b.get("/console/partners/" + pid + "/edit")
		mustSee(t, p, `value="Harbor Cloud"`, `value="alliances@harbor.example.com"`)
		res := b.postForm("/console/partners/"+pid+"/edit", url.Values{"name": {"Harbor Cloud Partners"}, "tier": {"premier"},
			"regions": {"eu"}, "capacity": {"8"}, "commission_bps": {"1000"}, "status": {"active"}, "contact_email": {"a@harbor.example.com"}})
		if res.status != 303 {
			t.Fatalf("edit: %d\n%s", res.status, excerpt(stripTags(res.body)))
		}
		mustSee(t, b.get("/console/partners/"+pid), "Harbor Cloud Partners", "Premier", "none named")
		if res := b.postForm("/console/partners/"+pid+"/status", url.Values{"status": {"paused"}}); res.header.Get("Location") != "/console/partners/"+pid+"?done=paused" {
			t.Fatalf("pause: %d %q", res.status, res.header.Get("Location"))
		}
		mustSee(t, b.get("/console/partners?status=paused"), "Harbor Cloud Partners")
		mustSee(t, b.get("/console/partners?status=active"), "No partner matches these filters.")
		b.postForm("/console/partners/"+pid+"/status", url.Values{"status": {"active"}})
		mustSee(t, b.get("/console/partners?sort=name&dir=desc&tier=premier"), "Harbor Cloud Partners", `aria-sort="descending"`)
	})

	t.Run("invite a user: the link shown once, then it works", func(t *testing.T) {
		res := b.postForm("/console/partners/"+pid+"/invite", url.Values{"email": {"nope"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", res.status)
		}
		mustSee(t, res, "Email must be an email address.", `value="nope"`)
		res = b.postForm("/console/partners/"+pid+"/invite", url.Values{"email": {"Ops@Harbor.example.com"}, "name": {"Ops"}})
		if res.status != http.StatusCreated {
			t.Fatalf("invite: %d", res.status)
		}
		m := regexp.MustCompile(`value="(http://127\.0\.0\.1:\d+/console/invitation#[^"]+)"`).FindStringSubmatch(res.body)
		if m == nil {
			t.Fatalf("no link:\n%s", excerpt(stripTags(res.body)))
		}
		mustSee(t, res, "Invitation for ops@harbor.example.com")
		guest := e.browser(t)
		p := guest.get("/console/invitation")
		if r := guest.post("/console/invitation", merge(formOf(t, p), url.Values{"invitation": {m[1]}, "password": {consolePassword},
			"password_again": {consolePassword}})); r.status != 303 {
			t.Fatalf("accept: %d", r.status)
		}
		guest.signIn("ops@harbor.example.com")
		mustSee(t, guest.get("/console/inbox"), "Harbor Cloud Partners")
		mustSee(t, b.get("/console/partners/"+pid), "ops@harbor.example.com", "Active")
	})

	t.Run("disable a user: confirmed, signed out everywhere", func(t *testing.T) {
		email := e.user(t, domain.RolePartner, pid)
		ub := e.browser(t)
		ub.signIn(email)
		var uid string
		if err := e.sql.Get(&uid, `SELECT id FROM users WHERE email = $1`, email); err != nil {
			t.Fatal(err)
		}
		mustSee(t, b.get("/console/users/"+uid+"/disable"), "Disable "+email, "signed out everywhere")
		if res := b.postForm("/console/users/"+uid+"/disable", nil); res.status != 303 {
			t.Fatalf("disable: %d", res.status)
		}
		redirectsToSignIn(t, ub.get("/console/inbox"))
		mustSee(t, b.get("/console/users"), email, "Disabled", "Harbor Cloud Partners")
	})

	t.Run("track record: every bad row by its line, all or nothing", func(t *testing.T) {
		mustSee(t, b.get("/console/partners/"+pid+"/track-record"), "Import a track record for Harbor Cloud Partners")
		bad := csvHeader + csvRow("approved") + strings.Replace(csvRow("rejected"), "seed,", "seedling,", 1) + csvRow("approved") +
			strings.Replace(csvRow("won"), "portfolio", "lottery", 1)
		res := b.upload("/console/partners/"+pid+"/track-record", "history.csv", bad)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d\n%s", res.status, excerpt(stripTags(res.body)))
		}
		mustSee(t, res, "history.csv: not imported", "Line 3: stage must be one of", "Line 5: funding_source", "outcome")
		mustNotSee(t, res, "Line 2:", "Line 4:")
		if n := e.count(t, `SELECT count(*) FROM outcomes`); n != 0 {
			t.Fatalf("%d outcomes kept", n)
		}
		good := csvHeader + csvRow("approved") + csvRow("rejected") + csvRow("approved")
		res = b.upload("/console/partners/"+pid+"/track-record", "history.csv", good)
		if res.status != 303 || res.header.Get("Location") != "/console/partners/"+pid+"?done=imported" {
			t.Fatalf("good file: %d %q\n%s", res.status, res.header.Get("Location"), excerpt(stripTags(res.body)))
		}
		if n := e.count(t, `SELECT count(*) FROM outcomes`); n != 3 {
			t.Fatalf("%d outcomes", n)
		}
	})

	t.Run("a file over the pages' body limit: said plainly, nothing imported", func(t *testing.T) {
		big := csvHeader + strings.Repeat(csvRow("approved"), (2<<20)/len(csvRow("approved")))
		res := b.upload("/console/partners/"+pid+"/track-record", "big.csv", big)
		if res.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("%d", res.status)
		}
		mustSee(t, res, "The form is too large", "Larger track records go through the API.")
		if n := e.count(t, `SELECT count(*) FROM outcomes`); n != 3 {
			t.Fatalf("%d outcomes", n)
		}
	})

	t.Run("keys of a partner", func(t *testing.T) {
		res := b.postForm("/console/partners/"+pid+"/keys", url.Values{"label": {"CRM"}})
		if res.status != http.StatusCreated || !strings.Contains(res.body, "cr_live_") {
			t.Fatalf("issue: %d", res.status)
		}
		mustSee(t, res, "The new key: copy it now")
	})
}

func TestConsoleAdminRouting(t *testing.T) {
	e := newEnv(t, 0)
	ctx := context.Background()
	pid, _ := e.createPartner(t, "Harbor Cloud", 20, 16)
	other, _ := e.createPartner(t, "Atlas Data", 0, 0)
	if err := e.db.RebuildIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := e.console(t, domain.RoleAdmin, "")
	review := "review"
	if _, err := e.db.UpdateSettings(ctx, domain.Principal{Role: domain.RoleAdmin}, domain.SettingsPatch{RoutingMode: &review}); err != nil {
		t.Fatal(err)
	}
	id := e.browser(t).submit(nil)
	if res, err := e.db.RouteIntake(ctx, id, "test"); err != nil || res.Outcome != "pending_review" {
		t.Fatalf("routing: %+v %v", res, err)
	}

	t.Run("the queue: filters in the address", func(t *testing.T) {
		mustSee(t, b.get("/console/intakes?view=review"), "Acme Robotics", "Pending review")
		mustSee(t, b.get("/console/intakes?view=unroutable"), "Nothing is unroutable.")
		mustSee(t, b.get("/console/intakes?view=all&q=acme&sort=company&dir=desc"), "Acme Robotics")
		mustSee(t, b.get("/console/intakes?view=all&q=nobody"), "No intake matches these filters.")
	})

	t.Run("the decision, readable; confirm the proposal", func(t *testing.T) {
		p := b.get("/console/intakes/" + id)
		mustSee(t, p, "Confirm the proposal: offer it to Harbor Cloud", "Assign another partner…", "pending_review",
			"Candidates ranked", "Harbor Cloud", "Atlas Data", "wins of", "decided", "prior", "rate", "Penalties",
			"Ada Lovelace")
		if res := b.postForm("/console/intakes/"+id+"/confirm", nil); res.status != 303 {
			t.Fatalf("confirm: %d\n%s", res.status, excerpt(stripTags(res.body)))
		}
		p = b.get("/console/intakes/" + id + "?done=confirmed")
		mustSee(t, p, "The proposal is confirmed", "Offered", "assigned by an admin", "confirmed the review proposal")
	})

	t.Run("release: refused without a reason; done with one", func(t *testing.T) {
		if _, err := e.db.AcceptAssignment(ctx, pid, e.assignmentOf(t, id)); err != nil {
			t.Fatal(err)
		}
		mustSee(t, b.get("/console/intakes/"+id+"/release"), "Release the partner of Acme Robotics", "You cannot undo it.")
		res := b.postForm("/console/intakes/"+id+"/release", url.Values{"reason": {""}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", res.status)
		}
		if e.intakeStatus(t, id) != "engaged" {
			t.Fatal("released without a reason")
		}
		if res := b.postForm("/console/intakes/"+id+"/release", url.Values{"reason": {"The founder asked us to."}}); res.status != 303 {
			t.Fatalf("release: %d\n%s", res.status, excerpt(stripTags(res.body)))
		}
		if s := e.intakeStatus(t, id); s == "engaged" {
			t.Fatalf("status %s", s)
		}
	})

	t.Run("assign another partner with a reason", func(t *testing.T) {
		st := e.intakeStatus(t, id)
		if st != "pending_review" && st != "unroutable" {
			t.Skipf("status %s", st)
		}
		res := b.postForm("/console/intakes/"+id+"/assign", url.Values{"partner_id": {pid}, "reason": {"x"}})
		mustSee(t, res, "Partner")
		res = b.postForm("/console/intakes/"+id+"/assign", url.Values{"partner_id": {other}, "reason": {"They know the founders."}})
		if res.status != 303 {
			t.Fatalf("assign: %d\n%s", res.status, excerpt(stripTags(res.body)))
		}
		mustSee(t, b.get("/console/intakes/"+id), "Atlas Data", "They know the founders.")
	})

	t.Run("settings: messages, then saved and audited", func(t *testing.T) {
		p := b.get("/console/settings")
		mustSee(t, p, "Routing mode", "Audit trail", "routing_mode")
		vals := url.Values{"routing_mode": {"auto"}, "close_rate_threshold": {"1.5"}, "window_days": {"0"}, "offer_ttl_hours": {"48"}}
		res := b.postForm("/console/settings", vals)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", res.status)
		}
		mustSee(t, res, "Close-rate threshold must be between 0 and 1.", "Track-record window (days) must be between 1 and 3650.", `value="1.5"`)
		vals.Set("close_rate_threshold", "0.65")
		vals.Set("window_days", "300")
		if res := b.postForm("/console/settings", vals); res.status != 303 {
			t.Fatalf("save: %d\n%s", res.status, excerpt(stripTags(res.body)))
		}
		p = b.get("/console/settings")
		mustSee(t, p, "Close-rate threshold", "0.65", "300")
		var email string
		e.sql.Get(&email, `SELECT u.email FROM settings_audit s JOIN users u ON u.id = s.actor_user_id ORDER BY s.id DESC LIMIT 1`)
		if email == "" || !strings.Contains(p.body, email) {
			t.Errorf("the audit trail does not name the admin (%q)", email)
		}
	})

	t.Run("the routing index and the what-if", func(t *testing.T) {
		mustSee(t, b.get("/console/routing-index?partner_id="+pid+"&axis=stage"), "Harbor Cloud", "Seed", "16", "20", "80%")
		mustSee(t, b.get("/console/routing-index?axis=nonsense&sort=rate&dir=desc"), "Index cells")
		mustSee(t, b.get("/console/what-if"), "Rank the partners")
		p := b.get("/console/what-if?stage=seed&region=eu&vertical=b2b_saas&service_profile=ai_heavy&engagement_type=build&pools=founders")
		mustSee(t, p, "The router would offer it to", "Candidates ranked, as a real routing would rank them now", "Harbor Cloud", "wins of")
		res := b.get("/console/what-if?stage=series_z&region=eu")
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad profile: %d", res.status)
		}
		mustSee(t, res, "Stage must be one of", "Vertical is required")
	})

	t.Run("metrics, with charts", func(t *testing.T) {
		p := b.get("/console/metrics?months=6")
		mustSee(t, p, "Routing turnaround", "Offer acceptance rate", "Close rate by pool", "Credits approved",
			"Commission accrued and paid", "data:image/svg+xml;base64,", "Figures by month")
	})
}

func TestConsoleAdminStatements(t *testing.T) {
	e := newEnv(t, 0)
	ctx := context.Background()
	pid, _ := e.createPartner(t, "Harbor Cloud", 0, 0)
	b := e.console(t, domain.RoleAdmin, "")
	admin := domain.Principal{Role: domain.RoleAdmin}
	if _, err := e.db.AddAdjustment(ctx, admin, pid, 150000, "Onboarding fee"); err != nil {
		t.Fatal(err)
	}
	var sid string
	if err := e.sql.Get(&sid, `SELECT id FROM statements`); err != nil {
		t.Fatal(err)
	}
	p := b.get("/console/statements")
	mustSee(t, p, "Reconciliation", "Balanced", "Harbor Cloud", "1,500.00 USD", "Onboarding fee", "Mark invoiced…")

	t.Run("an open month cannot be invoiced", func(t *testing.T) {
		mustSee(t, b.get("/console/statements/"+sid+"/settle"), "month is not closed yet")
		res := b.postForm("/console/statements/"+sid+"/settle", url.Values{"state": {"invoiced"}, "reference": {"INV-1"}})
		if res.status != http.StatusConflict {
			t.Fatalf("%d", res.status)
		}
	})
	if _, err := e.sql.Exec(`UPDATE statements SET closed_at = now()`); err != nil {
		t.Fatal(err)
	}
	t.Run("settle: a reference is required, then invoiced, then paid", func(t *testing.T) {
		mustSee(t, b.get("/console/statements/"+sid+"/settle"), "Marking it invoiced", "You cannot undo it.")
		res := b.postForm("/console/statements/"+sid+"/settle", url.Values{"state": {"invoiced"}, "reference": {""}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", res.status)
		}
		mustSee(t, res, "Reference ")
		if res := b.postForm("/console/statements/"+sid+"/settle", url.Values{"state": {"invoiced"}, "reference": {"INV-2026-01"}}); res.status != 303 {
			t.Fatalf("invoice: %d\n%s", res.status, excerpt(stripTags(res.body)))
		}
		mustSee(t, b.get("/console/statements?state=invoiced"), "Invoiced", "INV-2026-01", "Mark paid…")
		if res := b.postForm("/console/statements/"+sid+"/settle", url.Values{"state": {"paid"}, "reference": {"PAY-77"}}); res.status != 303 {
			t.Fatalf("pay: %d", res.status)
		}
		p := b.get("/console/statements?partner_id=" + pid)
		mustSee(t, p, "Paid", "PAY-77")
		mustNotSee(t, p, "Mark paid…")
		mustSee(t, b.get("/console/statements/"+sid+"/settle"), "nothing left to settle")
	})

	t.Run("adjustments: a reason and an amount, booked", func(t *testing.T) {
		mustSee(t, b.get("/console/partners/"+pid+"/adjustment"), "Commission adjustment for Harbor Cloud")
		res := b.postForm("/console/partners/"+pid+"/adjustment", url.Values{"amount": {"a lot"}, "reason": {""}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", res.status)
		}
		mustSee(t, res, "Amount must be an amount in USD", `value="a lot"`)
		res = b.postForm("/console/partners/"+pid+"/adjustment", url.Values{"amount": {"-150.5"}, "reason": {""}})
		mustSee(t, res, "The reason is required")
		if n := e.count(t, `SELECT count(*) FROM commission_entries`); n != 1 {
			t.Fatalf("%d entries", n)
		}
		if res := b.postForm("/console/partners/"+pid+"/adjustment", url.Values{"amount": {"-150.5"}, "reason": {"Credit note 4"}}); res.status != 303 {
			t.Fatalf("%d\n%s", res.status, excerpt(stripTags(res.body)))
		}
		mustSee(t, b.get("/console/statements?partner_id="+pid), "−150.50 USD", "Credit note 4")
	})
}

var _ = postgres.IntakeOffered
