package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/hibiken/asynq"

	"github.com/cloudroute/cloudroute/internal/config"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/jobs"
	"github.com/cloudroute/cloudroute/internal/mail"
	"github.com/cloudroute/cloudroute/internal/tasks"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// The notification mails sent through a real SMTP server on loopback
// (go-smtp), configured as a deployment is, by SMTP_URL and EMAIL_FROM.

// mailbox is an SMTP server's backend that keeps what it receives; it
// refuses the recipient reject with a permanent 550.
type mailbox struct {
	reject string
	mu     sync.Mutex
	got    []smtpMail
}

type smtpMail struct {
	To   []string
	Data []byte
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{b: b}, nil }

func (b *mailbox) mails() []smtpMail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]smtpMail(nil), b.got...)
}

type mailSession struct {
	b   *mailbox
	cur smtpMail
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.b.reject {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = data
	s.b.mu.Lock()
	s.b.got = append(s.b.got, s.cur)
	s.b.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        { s.cur = smtpMail{} }
func (s *mailSession) Logout() error { return nil }

// startSMTP runs an SMTP server (no TLS: the transport then sends in the
// clear, as it may without credentials) on a loopback port.
func startSMTP(t *testing.T, b *mailbox) string {
	t.Helper()
	s := smtp.NewServer(b)
	s.Domain = "mx.test"
	s.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close(); <-done })
	return l.Addr().String()
}

// received is a mail as the server got it, taken apart.
type received struct {
	Header netmail.Header
	Text   string
	HTML   string
}

func parseMail(t *testing.T, data []byte) received {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want multipart/alternative", m.Header.Get("Content-Type"))
	}
	out := received{Header: m.Header}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(part)
		switch ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct {
		case "text/plain":
			out.Text = string(body)
		case "text/html":
			out.HTML = string(body)
		}
	}
	return out
}

// smtpWorker is a worker whose mails go to the SMTP server at addr, set
// up from the environment as cloudroute serve does.
func smtpWorker(t *testing.T, db *testDB, addr string) *jobs.Worker {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"SMTP_URL": "smtp://" + addr, "EMAIL_FROM": "CloudRoute Notifications <notify@cloudroute.example>",
			"PUBLIC_URL": "https://cloudroute.example", "CLOUDROUTE_SECRET_KEY": strings.Repeat("ab", 32)}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	transport, err := mail.NewSMTP(mail.SMTPConfig{URL: cfg.SMTPURL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return jobs.NewWorker(db.DB, testenv.MustRedis(t, redisDB), quiet, nil, jobs.Options{Mail: transport, EmailFrom: cfg.EmailFrom,
		PublicURL: cfg.PublicURL, SecretKey: cfg.SecretKey})
}

// mailTask is the mail task of the outbox's event of kind about subject,
// as the relay would enqueue it.
func mailTask(t *testing.T, db *testDB, kind, subject string) *asynq.Task {
	t.Helper()
	var ev struct {
		ID         string    `db:"event_id"`
		Payload    []byte    `db:"payload"`
		OccurredAt time.Time `db:"occurred_at"`
	}
	db.Get(t, &ev, `SELECT event_id, payload, occurred_at FROM outbox WHERE kind = $1 AND subject = $2`, kind, subject)
	effs, err := jobs.Effects(events.Event{ID: ev.ID, Kind: kind, Subject: subject, Payload: ev.Payload, OccurredAt: ev.OccurredAt})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range effs {
		if e.Task.Type() == tasks.TypeSendMail {
			return e.Task
		}
	}
	t.Fatalf("%s sets off no mail", kind)
	return nil
}

// submitted files an intake for a customer of its own, with a company name
// that needs escaping, and returns its id and access token.
func submitted(t *testing.T, db *testDB) (string, string) {
	t.Helper()
	b := intake.Example()
	b.CompanyName = `Acme <Robotics> & "Co"`
	b.Website = fmt.Sprintf("https://c%d.example.com", time.Now().UnixNano())
	b.AWSAccountID = nil
	res, err := db.SubmitIntake(context.Background(), b, b.Website[8:], "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.IntakeID, res.AccessToken
}

// TestMailBySMTP: the founders' receipt and the partner's offer and
// reminder go through a real SMTP server with their content and headers,
// and a mail task run twice, or twice at once, sends each mail once.
func TestMailBySMTP(t *testing.T) {
	db := openTestDB(t)
	box := &mailbox{}
	w := smtpWorker(t, db, startSMTP(t, box))
	mux := w.Mux()
	ctx := context.Background()

	intakeID, token := submitted(t, db)
	receipt := mailTask(t, db, events.KindIntakeReceived, intakeID)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); mux.ProcessTask(ctx, receipt) }()
	}
	wg.Wait()
	if err := mux.ProcessTask(ctx, receipt); err != nil {
		t.Fatalf("the receipt task, run again: %v", err)
	}
	got := box.mails()
	if len(got) != 2 {
		t.Fatalf("%d mails for a receipt task run three times, want one per founder", len(got))
	}
	to := map[string]received{}
	for _, m := range got {
		to[strings.Join(m.To, ",")] = parseMail(t, m.Data)
	}
	r, ok := to["grace@acme-robotics.example.com"]
	if !ok {
		t.Fatalf("recipients: %v", to)
	}
	status := "https://cloudroute.example/status/" + intakeID + "#" + token
	for name, want := range map[string]string{
		"From":           `"CloudRoute Notifications" <notify@cloudroute.example>`,
		"To":             `"Grace Hopper" <grace@acme-robotics.example.com>`,
		"Auto-Submitted": "auto-generated",
	} {
		if h := r.Header.Get(name); h != want {
			t.Errorf("%s: %q, want %q", name, h, want)
		}
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(r.Header.Get("Subject"))
	if subject != `We received your request for Acme <Robotics> & "Co"` {
		t.Errorf("Subject %q", subject)
	}
	if id := r.Header.Get("Message-Id"); !strings.HasSuffix(id, "@cloudroute.example>") {
		t.Errorf("Message-ID %q", id)
	}
	// The private link, token and all, goes to the founder's inbox.
	if !strings.Contains(r.Text, status) || !strings.Contains(r.HTML, status) {
		t.Errorf("the receipt lacks the private status link %s:\n%s", status, r.Text)
	}
	// What the founder typed is text in the HTML part, never markup.
	if !strings.Contains(r.HTML, "Acme &lt;Robotics&gt; &amp; &#34;Co&#34;") || strings.Contains(r.HTML, "<Robotics>") {
		t.Errorf("the company name is not escaped in the HTML part:\n%s", r.HTML)
	}
	if !strings.Contains(r.Text, `Acme <Robotics> & "Co"`) {
		t.Errorf("the text part does not show the name as typed:\n%s", r.Text)
	}
	var sealed []byte
	db.Get(t, &sealed, `SELECT receipt_token_sealed FROM intakes WHERE id = $1`, intakeID)
	if sealed != nil {
		t.Error("the sealed token is kept after the receipt went out")
	}
	if n := count(t, db, "sent_mail"); n != 0 {
		t.Errorf("%d mails stored although SMTP sends them", n)
	}

	// The offer, then its reminder, to the partner.
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db.Clock = func() time.Time { return start }
	_, err := db.CreatePartner(ctx, domain.PartnerPatch{Name: ptr("Partner & Co"), Tier: ptr("advanced"), Regions: ptr([]string{"eu"}),
		ContactEmail: ptr("ops@partner.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := db.RouteIntake(ctx, intakeID, "submitted")
	if err != nil || rr.Outcome != "offered" {
		t.Fatalf("route: %+v %v", rr, err)
	}
	offer := mailTask(t, db, events.KindAssignmentOffered, rr.AssignmentID)
	for i := 0; i < 2; i++ {
		if err := mux.ProcessTask(ctx, offer); err != nil {
			t.Fatal(err)
		}
	}
	db.Clock = func() time.Time { return start.Add(40 * time.Hour) }
	if ok, err := db.RemindOffer(ctx, rr.AssignmentID); err != nil || !ok {
		t.Fatalf("remind: %v %v", ok, err)
	}
	reminder := mailTask(t, db, events.KindAssignmentExpiring, rr.AssignmentID)
	for i := 0; i < 2; i++ {
		if err := mux.ProcessTask(ctx, reminder); err != nil {
			t.Fatal(err)
		}
	}
	got = box.mails()[2:]
	if len(got) != 2 {
		t.Fatalf("%d partner mails, want the offer and the reminder once each", len(got))
	}
	o, rem := parseMail(t, got[0].Data), parseMail(t, got[1].Data)
	if strings.Join(got[0].To, ",") != "ops@partner.example.com" || o.Header.Get("List-Unsubscribe") != "" {
		t.Errorf("offer: to %v, List-Unsubscribe %q (offers cannot be turned off)", got[0].To, o.Header.Get("List-Unsubscribe"))
	}
	if strings.Contains(o.Text+o.HTML, "Acme") || strings.Contains(o.Text+o.HTML, "grace@") {
		t.Error("the offer names the customer")
	}
	if u := rem.Header.Get("List-Unsubscribe"); !strings.HasPrefix(u, "<https://cloudroute.example/v1/unsubscribe?token=") ||
		rem.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("reminder: List-Unsubscribe %q, -Post %q", u, rem.Header.Get("List-Unsubscribe-Post"))
	}
	if !strings.Contains(rem.Text, "https://cloudroute.example/v1/unsubscribe?token=") {
		t.Error("the reminder's text has no unsubscribe link")
	}
}

// TestMailBySMTPRetries: a send that fails (the server is down) releases
// its claim and the task fails, to be retried; the retry sends once. A
// recipient the server refuses for good is not retried, and does not hold
// up the others.
func TestMailBySMTPRetries(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	intakeID, _ := submitted(t, db)
	task := mailTask(t, db, events.KindIntakeReceived, intakeID)

	// Nothing listens on the address.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	down := l.Addr().String()
	l.Close()
	if err := smtpWorker(t, db, down).Mux().ProcessTask(ctx, task); err == nil {
		t.Fatal("the task succeeded with the server down")
	}
	var states []string
	db.x.Select(&states, `SELECT state FROM mail_deliveries ORDER BY recipient`)
	if strings.Join(states, ",") != "failed,failed" {
		t.Fatalf("claims after the failure: %v", states)
	}

	box := &mailbox{reject: "ada@acme-robotics.example.com"}
	w := smtpWorker(t, db, startSMTP(t, box))
	for i := 0; i < 2; i++ {
		if err := w.Mux().ProcessTask(ctx, task); err != nil {
			t.Fatalf("retry %d: %v", i, err)
		}
	}
	if got := box.mails(); len(got) != 1 || got[0].To[0] != "grace@acme-robotics.example.com" {
		t.Fatalf("after the retries: %+v", got)
	}
	db.x.Select(&states, `SELECT state FROM mail_deliveries ORDER BY recipient`)
	if strings.Join(states, ",") != "rejected,sent" {
		t.Fatalf("claims after the retries: %v", states)
	}
}

func count(t *testing.T, db *testDB, table string) int {
	t.Helper()
	var n int
	db.Get(t, &n, `SELECT count(*) FROM `+table)
	return n
}
