package api_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cloudroute/cloudroute/internal/config"
	"github.com/cloudroute/cloudroute/internal/tasks"
)

// Tests of the notification mails as the embedded default keeps them
// (no SMTP_URL): what the founders, the partner and the admins are sent,
// read back through GET /v1/admin/mail.

// sentMail is a stored mail as GET /v1/admin/mail/{id} shows it.
type sentMail struct {
	ID        string `json:"id"`
	MessageID string `json:"message_id"`
	EventID   string `json:"event_id"`
	Kind      string `json:"kind"`
	From      string `json:"from"`
	To        string `json:"to"`
	Subject   string `json:"subject"`
	Text      string `json:"text"`
	HTML      string `json:"html"`
	Headers   []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	ListUnsubscribe *string `json:"list_unsubscribe"`
}

func (m sentMail) header(name string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// mails returns the stored mails of kind (all kinds when empty), newest
// first, each read whole.
func (e *env) mails(kind string) []sentMail {
	e.t.Helper()
	q := "/v1/admin/mail?limit=200"
	if kind != "" {
		q += "&kind=" + kind
	}
	var list struct {
		Items []sentMail `json:"items"`
	}
	e.do("GET", q, e.adminKey, nil).want(e.t, 200).decode(e.t, &list)
	out := make([]sentMail, len(list.Items))
	for i, m := range list.Items {
		e.do("GET", "/v1/admin/mail/"+m.ID, e.adminKey, nil).want(e.t, 200).decode(e.t, &out[i])
	}
	return out
}

// recipients lists the To addresses of mails.
func recipients(ms []sentMail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.To)
	}
	return out
}

// rerunEffects runs again every effect of the outbox's events whose task
// is of taskType, as a redelivered task would.
func (e *env) rerunEffects(taskType string) {
	e.t.Helper()
	mux := e.worker.Mux()
	for _, r := range e.outboxEvents(false) {
		for _, eff := range e.effects(r) {
			if eff.Task.Type() == taskType && !eff.ProcessAt.After(e.db.Now()) {
				if err := mux.ProcessTask(context.Background(), eff.Task); err != nil {
					e.t.Fatalf("rerun %s of %s: %v", eff.Name, r.Kind, err)
				}
			}
		}
	}
}

// runTask runs one task of taskType with payload through the worker's
// handlers.
func (e *env) runTask(taskType string, payload any) error {
	e.t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.worker.Mux().ProcessTask(context.Background(), asynq.NewTask(taskType, b))
}

// TestNotifyMailsStoredByDefault is the "done" for mail: after a
// submission, an offer and its acceptance, the sent mail shows the
// founders' receipt with the private status link, the partner's offer
// mail and the founders' "your partner is" notice; nothing is sent twice
// when the tasks run again.
func TestNotifyMailsStoredByDefault(t *testing.T) {
	e := newEnv(t)
	intakeID, token, partnerID, partnerKey, asg := e.txtOffered()
	e.do("POST", "/v1/assignments/"+asg+"/accept", partnerKey, nil).want(t, 200)
	e.runJobs()

	// The receipt: both founders (two addresses), with the private link.
	receipts := e.mails("founder.receipt")
	if got := strings.Join(recipients(receipts), ", "); got != `"Ada Lovelace" <ada@acme-robotics.example.com>, "Grace Hopper" <grace@acme-robotics.example.com>` &&
		got != `"Grace Hopper" <grace@acme-robotics.example.com>, "Ada Lovelace" <ada@acme-robotics.example.com>` {
		t.Fatalf("receipts went to %s", got)
	}
	for _, m := range receipts {
		// The kept copy withholds the token, which only the founder's
		// inbox may hold; the link is the private one.
		if strings.Contains(m.Text+m.HTML, token) {
			t.Fatal("the stored receipt keeps the founder's access token")
		}
		if !strings.Contains(m.Text, "http://localhost:8080/status/"+intakeID+"#[withheld]") {
			t.Fatalf("the receipt's text has no private status link:\n%s", m.Text)
		}
		if m.header("Auto-Submitted") != "auto-generated" || m.ListUnsubscribe != nil || m.From != `"CloudRoute" <noreply@cloudroute.localhost>` {
			t.Errorf("receipt headers: from %q, %+v, list-unsubscribe %v", m.From, m.Headers, m.ListUnsubscribe)
		}
		if !strings.HasSuffix(m.MessageID, "@cloudroute.localhost") {
			t.Errorf("Message-ID %q is not at the sender's domain", m.MessageID)
		}
	}
	// The sealed copy of the token is gone once the receipt is out.
	if n := e.count(`SELECT count(*) FROM intakes WHERE receipt_token_sealed IS NOT NULL`); n != 0 {
		t.Errorf("%d sealed receipt tokens left after the receipt went out", n)
	}

	// The offer: to the partner's contact, naming no one.
	offers := e.mails("partner.offer")
	if len(offers) != 1 || offers[0].To != "<ops@partner.example.com>" {
		t.Fatalf("offer mails: %v", recipients(offers))
	}
	o := offers[0]
	var customerDomain string
	e.sql.Get(&customerDomain, `SELECT customer_domain FROM intakes WHERE id = $1`, intakeID)
	for _, secret := range []string{"Ada", "Grace", "acme-robotics", "Acme Robotics", customerDomain, intakeID} {
		if strings.Contains(o.Subject+o.Text+o.HTML, secret) {
			t.Errorf("the offer mail reveals %q before acceptance:\n%s", secret, o.Text)
		}
	}
	for _, want := range []string{"INT-", "Seed", "EU", "B2B SaaS", "AI-heavy", "/console/assignments/" + asg} {
		if !strings.Contains(o.Text, want) {
			t.Errorf("the offer mail lacks %q:\n%s", want, o.Text)
		}
	}

	// The acceptance: the founders learn their partner and its contact.
	assigned := e.mails("founder.partner_assigned")
	if len(assigned) != 2 {
		t.Fatalf("%d acceptance notices, want one per founder", len(assigned))
	}
	var partnerName string
	e.sql.Get(&partnerName, `SELECT name FROM partners WHERE id = $1`, partnerID)
	if !strings.Contains(assigned[0].Subject, partnerName) || !strings.Contains(assigned[0].Text, "ops@partner.example.com") {
		t.Errorf("acceptance notice: %q\n%s", assigned[0].Subject, assigned[0].Text)
	}

	// Every mail task run again sends nothing more.
	before := e.count("sent_mail")
	e.rerunEffects(tasks.TypeSendMail)
	e.rerunEffects(tasks.TypeSendMail)
	if after := e.count("sent_mail"); after != before {
		t.Fatalf("re-running the mail tasks stored %d more mails", after-before)
	}
	if n := e.count(`SELECT count(*) FROM mail_deliveries WHERE state <> 'sent'`); n != 0 {
		t.Errorf("%d mail claims not marked sent", n)
	}
}

// TestNotifyReleaseTellsFounders: a founder's release sends the re-route
// notice with the founder's own reason.
func TestNotifyReleaseTellsFounders(t *testing.T) {
	e := newEnv(t)
	intakeID, token, _, _, _ := e.engaged(nil)
	e.do("POST", "/v1/intakes/"+intakeID+"/reroute", token, map[string]any{"reason": "we never heard back"}).want(t, 200)
	e.runJobs()
	ms := e.mails("founder.rerouted")
	if len(ms) != 2 || !strings.Contains(ms[0].Text, "we never heard back") {
		t.Fatalf("re-route notices: %d %v", len(ms), recipients(ms))
	}
}

func TestAdminMailEndpoints(t *testing.T) {
	e := newEnv(t)
	_, partnerKey := e.createPartner(nil)
	_, token := e.submit(nil)
	e.runJobs()
	all := e.mails("")
	if len(all) < 2 {
		t.Fatalf("%d mails stored", len(all))
	}
	t.Run("pages, newest first", func(t *testing.T) {
		var p1, p2 struct {
			Items []sentMail `json:"items"`
			Next  *string    `json:"next_cursor"`
		}
		e.do("GET", "/v1/admin/mail?limit=1", e.adminKey, nil).want(t, 200).decode(t, &p1)
		if len(p1.Items) != 1 || p1.Next == nil {
			t.Fatalf("first page: %+v", p1)
		}
		e.do("GET", "/v1/admin/mail?limit=1&cursor="+*p1.Next, e.adminKey, nil).want(t, 200).decode(t, &p2)
		if len(p2.Items) != 1 || p2.Items[0].ID == p1.Items[0].ID {
			t.Fatalf("second page: %+v", p2)
		}
	})
	t.Run("filters", func(t *testing.T) {
		if ms := e.mails("partner.offer"); len(ms) != 1 || ms[0].Kind != "partner.offer" {
			t.Fatalf("kind=partner.offer: %+v", ms)
		}
		if ms := e.mails("founder.receipt"); len(ms) != 2 {
			t.Fatalf("kind=founder.receipt: %d mails", len(ms))
		}
		var l struct {
			Items []sentMail `json:"items"`
		}
		e.do("GET", "/v1/admin/mail?to="+url.QueryEscape("GRACE@"), e.adminKey, nil).want(t, 200).decode(t, &l)
		if len(l.Items) != 1 || !strings.Contains(l.Items[0].To, "grace@") {
			t.Fatalf("to=GRACE@: %+v", l.Items)
		}
	})
	for _, c := range []struct{ name, query, field string }{
		{"limit 0", "limit=0", "limit"},
		{"an unknown kind", "kind=spam", "kind"},
		{"a bad cursor", "cursor=nope", "cursor"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("GET", "/v1/admin/mail?"+c.query, e.adminKey, nil)
			r.problem(t, 422, "validation_failed")
			if f := r.fields(t); len(f) != 1 || f[0] != c.field {
				t.Fatalf("fields %v, want %s", f, c.field)
			}
		})
	}
	for _, c := range []struct {
		name, key string
		status    int
		code      string
	}{
		{"no key", "", 401, "unauthenticated"},
		{"a partner key", partnerKey, 403, "forbidden"},
		{"a founder token", token, 403, "forbidden"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.do("GET", "/v1/admin/mail", c.key, nil).problem(t, c.status, c.code)
			e.do("GET", "/v1/admin/mail/"+all[0].ID, c.key, nil).problem(t, c.status, c.code)
		})
	}
	t.Run("an unknown mail", func(t *testing.T) {
		e.do("GET", "/v1/admin/mail/6f1c7a52-0000-4000-8000-000000000000", e.adminKey, nil).problem(t, 404, "not_found")
		e.do("GET", "/v1/admin/mail/nope", e.adminKey, nil).problem(t, 404, "not_found")
	})
}

// TestNotifyOfferReminderByTheClock: an offer unanswered at 75% of its
// TTL gets one reminder (an assignment.expiring event, a mail that can be
// turned off); one answered before gets none, whatever runs later.
func TestNotifyOfferReminderByTheClock(t *testing.T) {
	e := newEnv(t)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	e.at(start)
	_, _, _, _, asg := e.txtOffered()
	var offeredAt, remindAt time.Time
	e.sql.Get(&offeredAt, `SELECT offered_at FROM assignments WHERE id = $1`, asg)
	e.sql.Get(&remindAt, `SELECT remind_at FROM assignments WHERE id = $1`, asg)
	if want := offeredAt.Add(36 * time.Hour); !remindAt.Equal(want) {
		t.Fatalf("remind_at %v, want 36 h after the offer (%v)", remindAt, want)
	}
	expiring := func(asg string) int {
		return e.count(`SELECT count(*) FROM outbox WHERE kind = 'assignment.expiring' AND subject = '` + asg + `'`)
	}

	// Before the reminder time nothing is due.
	e.at(start.Add(35 * time.Hour))
	e.runJobs()
	if n := expiring(asg); n != 0 {
		t.Fatalf("%d reminders before the reminder time", n)
	}
	// After it, once, however often the reminder task and the sweep run.
	e.at(start.Add(37 * time.Hour))
	e.runJobs()
	if err := e.runTask(tasks.TypeRemindOffer, tasks.RemindOffer{AssignmentID: asg}); err != nil {
		t.Fatal(err)
	}
	if err := e.runTask(tasks.TypeSweepOffers, tasks.Periodic{}); err != nil {
		t.Fatal(err)
	}
	e.runJobs()
	if n := expiring(asg); n != 1 {
		t.Fatalf("%d assignment.expiring events, want 1", n)
	}
	rem := e.mails("partner.offer_reminder")
	if len(rem) != 1 || rem[0].ListUnsubscribe == nil || !strings.Contains(rem[0].header("List-Unsubscribe"), "/v1/unsubscribe?token=") {
		t.Fatalf("reminder mails: %+v", rem)
	}

	// A second offer, accepted before its reminder time: no reminder.
	e.at(start.Add(50 * time.Hour))
	_, _, _, key2, asg2 := e.txtOffered()
	e.do("POST", "/v1/assignments/"+asg2+"/accept", key2, nil).want(t, 200)
	e.at(start.Add(50*time.Hour + 40*time.Hour))
	e.runJobs()
	if err := e.runTask(tasks.TypeRemindOffer, tasks.RemindOffer{AssignmentID: asg2}); err != nil {
		t.Fatal(err)
	}
	if err := e.runTask(tasks.TypeSweepOffers, tasks.Periodic{}); err != nil {
		t.Fatal(err)
	}
	if n := expiring(asg2); n != 0 {
		t.Fatalf("%d assignment.expiring events for an offer accepted before its reminder time", n)
	}
	if n := expiring(asg); n != 1 {
		t.Fatalf("%d assignment.expiring events for the first offer, want still 1", n)
	}
}

// TestNotifyReminderSweepAndSetting: a reminder task lost by Redis is
// written by the sweep; offer_reminder_pct 0 sends none.
func TestNotifyReminderSweepAndSetting(t *testing.T) {
	e := newEnv(t)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	e.at(start)
	_, _, _, _, asg := e.txtOffered()
	e.at(start.Add(40 * time.Hour))
	// Only the sweep runs: the reminder task was lost.
	if err := e.runTask(tasks.TypeSweepOffers, tasks.Periodic{}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE kind = 'assignment.expiring' AND subject = '` + asg + `'`); n != 1 {
		t.Fatalf("%d reminders written by the sweep, want 1", n)
	}

	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"offer_reminder_pct": 0}).want(t, 200)
	_, _, _, _, asg2 := e.txtOffered()
	var remind *time.Time
	e.sql.Get(&remind, `SELECT remind_at FROM assignments WHERE id = $1`, asg2)
	if remind != nil || e.queued(tasks.TypeRemindOffer) != 1 {
		t.Fatalf("with reminders off: remind_at %v, %d remind tasks (want the first offer's only)", remind, e.queued(tasks.TypeRemindOffer))
	}
	for _, v := range []any{-1, 100, "75"} {
		r := e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"offer_reminder_pct": v})
		if r.status != 422 && r.status != 400 {
			t.Errorf("offer_reminder_pct %v: %d", v, r.status)
		}
	}
}

// TestUnsubscribeOneClick: the reminder's link turns reminders off for
// that address (RFC 8058's POST, as a mail client sends it); the next
// reminder is not sent; offers still are.
func TestUnsubscribeOneClick(t *testing.T) {
	e := newEnv(t)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	e.at(start)
	partnerID, _ := e.createPartner(nil)
	e.sql.MustExec(`UPDATE partners SET status = 'paused' WHERE id <> $1`, partnerID)
	e.submit(nil)
	e.runJobs()
	e.at(start.Add(37 * time.Hour))
	e.runJobs()
	rem := e.mails("partner.offer_reminder")
	if len(rem) != 1 || rem[0].ListUnsubscribe == nil {
		t.Fatalf("reminders: %+v", rem)
	}
	link, err := url.Parse(*rem[0].ListUnsubscribe)
	if err != nil {
		t.Fatal(err)
	}
	path := link.RequestURI()

	st := e.do("GET", path, "", nil).want(t, 200).json(t)
	if st["email"] != "ops@partner.example.com" || st["topic"] != "reminders" || st["unsubscribed"] != false {
		t.Fatalf("GET the link: %v", st)
	}
	for i := 0; i < 2; i++ {
		r := e.do("POST", path, "", "List-Unsubscribe=One-Click", "Content-Type", "application/x-www-form-urlencoded").want(t, 200).json(t)
		if r["unsubscribed"] != true {
			t.Fatalf("POST the link: %v", r)
		}
	}
	if n := e.count("notification_optouts"); n != 1 {
		t.Fatalf("%d opt-outs, want 1", n)
	}

	// The next offer is mailed (offers cannot be turned off); its reminder is not.
	e.submit(nil)
	e.runJobs()
	e.at(start.Add(80 * time.Hour))
	e.runJobs()
	if n := len(e.mails("partner.offer")); n != 2 {
		t.Errorf("%d offer mails, want 2", n)
	}
	if n := len(e.mails("partner.offer_reminder")); n != 1 {
		t.Errorf("%d reminder mails after unsubscribing, want still 1", n)
	}

	before := e.count("notification_optouts")
	for _, c := range []struct{ name, path string }{
		{"no token", "/v1/unsubscribe"},
		{"a forged token", "/v1/unsubscribe?token=" + url.QueryEscape("b3BzQHBhcnRuZXIuZXhhbXBsZS5jb20AcmVtaW5kZXJz.AAAA")},
		{"garbage", "/v1/unsubscribe?token=%25%25"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("POST", c.path, "", nil)
			r.problem(t, 422, "validation_failed")
			if f := r.fields(t); len(f) != 1 || f[0] != "token" {
				t.Fatalf("fields %v", f)
			}
			e.do("GET", c.path, "", nil).problem(t, 422, "validation_failed")
		})
	}
	t.Run("a body of another type", func(t *testing.T) {
		e.do("POST", path, "", "List-Unsubscribe=One-Click", "Content-Type", "text/plain").problem(t, 415, "unsupported_media_type")
	})
	if n := e.count("notification_optouts"); n != before {
		t.Fatalf("refused requests wrote %d opt-outs", n-before)
	}
}

// TestNotifyAdminDigest: unroutable and pending-review intakes reach the
// admins in one digest per period, once, and not at all for an admin who
// turned digests off.
func TestNotifyAdminDigest(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.AdminEmails = []string{"ana@cloudroute.example", "bo@cloudroute.example"} })
	e.at(time.Date(2026, 3, 2, 9, 1, 0, 0, time.UTC))
	// Nobody is routable: the intake is unroutable.
	e.sql.MustExec(`UPDATE partners SET status = 'paused'`)
	e.submit(nil)
	e.runJobs()
	if n := e.count("admin_digest_items"); n != 1 {
		t.Fatalf("%d digest items, want 1", n)
	}
	digest := func() {
		t.Helper()
		if err := e.runTask(tasks.TypeAdminDigest, tasks.Periodic{}); err != nil {
			t.Fatal(err)
		}
	}
	digest()
	digest()
	ms := e.mails("admin.digest")
	if len(ms) != 2 {
		t.Fatalf("%d digests, want one per admin: %v", len(ms), recipients(ms))
	}
	if !strings.Contains(ms[0].Subject, "1 unroutable") || ms[0].ListUnsubscribe == nil {
		t.Fatalf("digest: %q %v", ms[0].Subject, ms[0].ListUnsubscribe)
	}
	// Bo turns digests off; the next period's digest goes to Ana alone.
	var bo sentMail
	for _, m := range ms {
		if strings.Contains(m.To, "bo@") {
			bo = m
		}
	}
	link, _ := url.Parse(*bo.ListUnsubscribe)
	e.do("POST", link.RequestURI(), "", nil).want(t, 200)
	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"routing_mode": "review"}).want(t, 200)
	e.sql.MustExec(`UPDATE partners SET status = 'active'`)
	e.createPartner(nil)
	e.submit(nil)
	e.runJobs()
	e.at(time.Date(2026, 3, 2, 9, 16, 0, 0, time.UTC))
	digest()
	ms = e.mails("admin.digest")
	if len(ms) != 3 || !strings.Contains(ms[0].To, "ana@") || !strings.Contains(ms[0].Subject, "waiting for review") {
		t.Fatalf("after Bo unsubscribed: %v; newest %q", recipients(ms), ms[0].Subject)
	}
}
