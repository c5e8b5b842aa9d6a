package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/cloudroute/cloudroute/internal/mail"
)

// The tests below speak SMTP to a real server on loopback: go-smtp, with a
// backend that records what it receives.

// received is one mail as the server saw it.
type received struct {
	From     string
	To       []string
	Data     []byte
	TLS      bool
	AuthUser string
}

// backend records mails. With user set it offers AUTH PLAIN (only over
// TLS unless the server allows otherwise) and refuses mail before AUTH.
type backend struct {
	user, pass string
	// rejectRcpt is refused with a permanent 550.
	rejectRcpt string

	mu        sync.Mutex
	mails     []received
	authTries int
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	s := &session{be: b, cur: received{TLS: isTLS}, conn: c}
	if b.user != "" {
		return &authSession{s}, nil
	}
	return s, nil
}

func (b *backend) received() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.mails...)
}

func (b *backend) authAttempts() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.authTries
}

type session struct {
	be     *backend
	conn   *smtp.Conn
	cur    received
	authed bool
}

func (s *session) Reset() {
	_, isTLS := s.conn.TLSConnectionState()
	s.cur = received{TLS: isTLS, AuthUser: s.cur.AuthUser}
}
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.be.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	_, s.cur.TLS = s.conn.TLSConnectionState()
	s.cur.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.be.rejectRcpt {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = data
	s.be.mu.Lock()
	s.be.mails = append(s.be.mails, s.cur)
	s.be.mu.Unlock()
	return nil
}

type authSession struct{ *session }

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(string) (sasl.Server, error) {
	s.be.mu.Lock()
	s.be.authTries++
	s.be.mu.Unlock()
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.be.user || pass != s.be.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		s.cur.AuthUser = user
		return nil
	}), nil
}

// serverOpts say how the test server listens.
type serverOpts struct {
	// startTLS offers STARTTLS with cert.
	startTLS bool
	// implicitTLS speaks TLS from the first byte.
	implicitTLS bool
	// insecureAuth offers AUTH without TLS.
	insecureAuth bool
}

// startServer runs an SMTP server on a loopback port until the test ends
// and returns its address.
func startServer(t *testing.T, be *backend, cert tls.Certificate, o serverOpts) string {
	t.Helper()
	s := smtp.NewServer(be)
	s.Domain = "mx.test"
	s.AllowInsecureAuth = o.insecureAuth
	s.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if o.startTLS {
		s.TLSConfig = tlsConf
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.implicitTLS {
		l = tls.NewListener(l, tlsConf)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(l)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		<-done
	})
	return l.Addr().String()
}

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mx.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// parsed is a received mail taken apart.
type parsed struct {
	Header netmail.Header
	Text   string
	HTML   string
}

// subject decodes the Subject header.
func (p parsed) subject(t *testing.T) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// parse reads a multipart/alternative mail; the multipart reader undoes the
// quoted-printable transfer encoding of each part.
func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: want multipart/alternative (%v)", m.Header.Get("Content-Type"), err)
	}
	p := parsed{Header: m.Header}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var order []string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		order = append(order, ct)
		switch ct {
		case "text/plain":
			p.Text = string(body)
		case "text/html":
			p.HTML = string(body)
		}
	}
	if strings.Join(order, ",") != "text/plain,text/html" {
		t.Fatalf("parts %v: want text/plain then text/html", order)
	}
	return p
}

var fixedNow = time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)

func newComposer(t *testing.T) *mail.Composer {
	t.Helper()
	c, err := mail.NewComposer("CloudRoute <noreply@cloudroute.test>", func() time.Time { return fixedNow })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func receipt(company string) mail.FounderReceipt {
	return mail.FounderReceipt{
		FounderName: "Ana Silva",
		CompanyName: company,
		ReceivedAt:  fixedNow,
		StatusURL:   "https://cloudroute.test/s/9f2c1b7e4d",
	}
}

func smtpURL(scheme, user, pass, addr string) string {
	u := url.URL{Scheme: scheme, Host: addr}
	if user != "" {
		u.User = url.UserPassword(user, pass)
	}
	return u.String()
}

func newSMTP(t *testing.T, cfg mail.SMTPConfig) *mail.SMTP {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	s, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSMTPSendWithoutAuth(t *testing.T) {
	cert, _ := selfSigned(t)
	be := &backend{}
	addr := startServer(t, be, cert, serverOpts{})
	tr := newSMTP(t, mail.SMTPConfig{URL: smtpURL("smtp", "", "", addr)})

	msg, err := newComposer(t).Compose("evt_01", mail.Address{Name: "Ana Silva", Email: "ana@startup.test"},
		receipt(`Acme <script>alert(1)</script> & Co`))
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}

	got := be.received()
	if len(got) != 1 {
		t.Fatalf("server received %d mails, want 1", len(got))
	}
	r := got[0]
	if r.From != "noreply@cloudroute.test" || len(r.To) != 1 || r.To[0] != "ana@startup.test" {
		t.Errorf("envelope from %q to %v", r.From, r.To)
	}
	if r.TLS {
		t.Error("the server offers no TLS, yet the session is encrypted")
	}
	p := parse(t, r.Data)
	if s := p.subject(t); s != "We received your request for Acme <script>alert(1)</script> & Co" {
		t.Errorf("Subject %q", s)
	}
	if got, want := p.Header.Get("Message-ID"), "<"+msg.ID+">"; got != want {
		t.Errorf("Message-ID %q, want %q", got, want)
	}
	if got := p.Header.Get("From"); !strings.Contains(got, "noreply@cloudroute.test") {
		t.Errorf("From %q", got)
	}
	if got := p.Header.Get("To"); !strings.Contains(got, "ana@startup.test") {
		t.Errorf("To %q", got)
	}
	if d, err := p.Header.Date(); err != nil || !d.Equal(fixedNow) {
		t.Errorf("Date %v (%v), want %v", d, err, fixedNow)
	}
	if got := p.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted %q", got)
	}
	if got := p.Header.Get("List-Unsubscribe"); got != "" {
		t.Errorf("a receipt carries List-Unsubscribe %q", got)
	}

	// The text part is plain text: the company name as typed (wrapped
	// across lines, hence the comparison on words).
	for _, want := range []string{"Hello Ana Silva,", "Acme <script>alert(1)</script> & Co", "https://cloudroute.test/s/9f2c1b7e4d"} {
		if !strings.Contains(strings.Join(strings.Fields(p.Text), " "), want) {
			t.Errorf("text part lacks %q:\n%s", want, p.Text)
		}
	}
	// The HTML part escapes it.
	if strings.Contains(p.HTML, "<script>") {
		t.Errorf("HTML part carries the typed <script> unescaped:\n%s", p.HTML)
	}
	for _, want := range []string{"Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", `href="https://cloudroute.test/s/9f2c1b7e4d"`} {
		if !strings.Contains(p.HTML, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, p.HTML)
		}
	}
}

func TestSMTPSendSTARTTLSWithAuth(t *testing.T) {
	cert, pool := selfSigned(t)
	be := &backend{user: "mailer", pass: "s3cr3t:/@pass"}
	addr := startServer(t, be, cert, serverOpts{startTLS: true})

	for _, require := range []bool{false, true} {
		t.Run(fmt.Sprintf("require=%v", require), func(t *testing.T) {
			tr := newSMTP(t, mail.SMTPConfig{URL: smtpURL("smtp", be.user, be.pass, addr), RootCAs: pool, RequireTLS: require})
			msg, err := newComposer(t).Compose("evt_tls_"+fmt.Sprint(require), mail.Address{Email: "ana@startup.test"}, receipt("Acme"))
			if err != nil {
				t.Fatal(err)
			}
			before := len(be.received())
			if err := tr.Send(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
			got := be.received()
			if len(got) != before+1 {
				t.Fatalf("server received %d new mails, want 1", len(got)-before)
			}
			r := got[len(got)-1]
			if !r.TLS {
				t.Error("the server offers STARTTLS, yet the mail came in the clear")
			}
			if r.AuthUser != "mailer" {
				t.Errorf("authenticated as %q, want mailer", r.AuthUser)
			}
		})
	}
}

func TestSMTPSendImplicitTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	be := &backend{user: "mailer", pass: "pw"}
	addr := startServer(t, be, cert, serverOpts{implicitTLS: true})
	tr := newSMTP(t, mail.SMTPConfig{URL: smtpURL("smtps", be.user, be.pass, addr), RootCAs: pool})

	msg, err := newComposer(t).Compose("evt_02", mail.Address{Email: "ana@startup.test"}, receipt("Acme"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	got := be.received()
	if len(got) != 1 || !got[0].TLS || got[0].AuthUser != "mailer" {
		t.Fatalf("received %+v: want one mail, over TLS, authenticated", got)
	}
}

func TestSMTPSendRefusesUntrustedCertificate(t *testing.T) {
	cert, _ := selfSigned(t)
	be := &backend{}
	addr := startServer(t, be, cert, serverOpts{implicitTLS: true})
	tr := newSMTP(t, mail.SMTPConfig{URL: smtpURL("smtps", "", "", addr)}) // system roots

	msg, err := newComposer(t).Compose("evt_03", mail.Address{Email: "ana@startup.test"}, receipt("Acme"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Send(context.Background(), msg); err == nil {
		t.Fatal("sent to a server whose certificate nobody signed")
	}
	if n := len(be.received()); n != 0 {
		t.Fatalf("server received %d mails", n)
	}
}

func TestSMTPSendRequireTLSWithoutSTARTTLS(t *testing.T) {
	cert, _ := selfSigned(t)
	be := &backend{}
	addr := startServer(t, be, cert, serverOpts{})

	for name, cfg := range map[string]mail.SMTPConfig{
		"option":    {URL: smtpURL("smtp", "", "", addr), RequireTLS: true},
		"url query": {URL: smtpURL("smtp", "", "", addr) + "?starttls=required"},
	} {
		t.Run(name, func(t *testing.T) {
			tr := newSMTP(t, cfg)
			msg, err := newComposer(t).Compose("evt_04", mail.Address{Email: "ana@startup.test"}, receipt("Acme"))
			if err != nil {
				t.Fatal(err)
			}
			if err := tr.Send(context.Background(), msg); err == nil {
				t.Fatal("sent in the clear although TLS is required")
			}
			if n := len(be.received()); n != 0 {
				t.Fatalf("server received %d mails", n)
			}
		})
	}
}

func TestSMTPSendNeverAuthenticatesInTheClear(t *testing.T) {
	cert, _ := selfSigned(t)
	// The server would take AUTH PLAIN without TLS; the client must not
	// offer the password.
	be := &backend{user: "mailer", pass: "topsecret"}
	addr := startServer(t, be, cert, serverOpts{insecureAuth: true})
	tr := newSMTP(t, mail.SMTPConfig{URL: smtpURL("smtp", be.user, be.pass, addr)})

	msg, err := newComposer(t).Compose("evt_05", mail.Address{Email: "ana@startup.test"}, receipt("Acme"))
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Send(context.Background(), msg)
	if err == nil {
		t.Fatal("sent with credentials over an unencrypted connection")
	}
	t.Logf("refused: %v", err)
	if n := be.authAttempts(); n != 0 {
		t.Errorf("client tried AUTH %d times in the clear", n)
	}
	if strings.Contains(err.Error(), "topsecret") {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestSMTPSendWrongPassword(t *testing.T) {
	cert, pool := selfSigned(t)
	be := &backend{user: "mailer", pass: "right"}
	addr := startServer(t, be, cert, serverOpts{startTLS: true})
	tr := newSMTP(t, mail.SMTPConfig{URL: smtpURL("smtp", "mailer", "wr0ng-password", addr), RootCAs: pool})

	msg, err := newComposer(t).Compose("evt_06", mail.Address{Email: "ana@startup.test"}, receipt("Acme"))
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Send(context.Background(), msg)
	if err == nil {
		t.Fatal("sent with a wrong password")
	}
	t.Logf("refused: %v", err)
	if strings.Contains(err.Error(), "wr0ng-password") {
		t.Errorf("error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "xxxxx") {
		t.Errorf("error should name the server, redacted: %v", err)
	}
	if len(be.received()) != 0 {
		t.Fatal("server received a mail")
	}
}

func TestSMTPSendRejectedRecipient(t *testing.T) {
	cert, _ := selfSigned(t)
	be := &backend{rejectRcpt: "gone@startup.test"}
	addr := startServer(t, be, cert, serverOpts{})
	tr := newSMTP(t, mail.SMTPConfig{URL: smtpURL("smtp", "", "", addr)})

	msg, err := newComposer(t).Compose("evt_07", mail.Address{Email: "gone@startup.test"}, receipt("Acme"))
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Send(context.Background(), msg)
	if !errors.Is(err, mail.ErrRejected) {
		t.Fatalf("error %v: want ErrRejected", err)
	}
	t.Logf("rejected: %v", err)
}

func TestSMTPSendServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	tr := newSMTP(t, mail.SMTPConfig{URL: smtpURL("smtp", "", "", addr)})
	msg, err := newComposer(t).Compose("evt_08", mail.Address{Email: "ana@startup.test"}, receipt("Acme"))
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Send(context.Background(), msg)
	if err == nil || errors.Is(err, mail.ErrRejected) {
		t.Fatalf("error %v: want a failure worth retrying", err)
	}
}

// A resend of the same event to the same recipient carries the same
// Message-ID, through SMTP as well.
func TestSMTPResendKeepsMessageID(t *testing.T) {
	cert, _ := selfSigned(t)
	be := &backend{}
	addr := startServer(t, be, cert, serverOpts{})
	tr := newSMTP(t, mail.SMTPConfig{URL: smtpURL("smtp", "", "", addr)})
	c := newComposer(t)
	for range 2 {
		msg, err := c.Compose("evt_resend", mail.Address{Email: "Ana@Startup.test"}, receipt("Acme"))
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	}
	got := be.received()
	if len(got) != 2 {
		t.Fatalf("received %d mails, want 2", len(got))
	}
	a, b := parse(t, got[0].Data).Header.Get("Message-ID"), parse(t, got[1].Data).Header.Get("Message-ID")
	if a == "" || a != b {
		t.Errorf("Message-IDs %q and %q: want the same", a, b)
	}
}

func TestSMTPDigestHeaders(t *testing.T) {
	cert, _ := selfSigned(t)
	be := &backend{}
	addr := startServer(t, be, cert, serverOpts{})
	tr := newSMTP(t, mail.SMTPConfig{URL: smtpURL("smtp", "", "", addr)})

	digest := mail.AdminDigest{
		RecipientName: "Ops",
		Since:         fixedNow.Add(-15 * time.Minute),
		Unroutable: []mail.IntakeLine{{
			CompanyName: `<b>Bold</b> Robotics`, SubmittedAt: fixedNow.Add(-10 * time.Minute),
			Note: "no eligible partner left", URL: "https://cloudroute.test/console/intakes/42",
		}},
		ConsoleURL:     "https://cloudroute.test/console",
		UnsubscribeURL: "https://cloudroute.test/unsubscribe/t0k3n",
	}
	msg, err := newComposer(t).Compose("digest:admin:2025-03-04T09:30Z", mail.Address{Email: "ops@cloudroute.test"}, digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	got := be.received()
	if len(got) != 1 {
		t.Fatalf("received %d mails", len(got))
	}
	p := parse(t, got[0].Data)
	if h := p.Header.Get("List-Unsubscribe"); h != "<https://cloudroute.test/unsubscribe/t0k3n>" {
		t.Errorf("List-Unsubscribe %q", h)
	}
	if h := p.Header.Get("List-Unsubscribe-Post"); h != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", h)
	}
	if !strings.Contains(p.HTML, "&lt;b&gt;Bold&lt;/b&gt; Robotics") || strings.Contains(p.HTML, "<b>Bold") {
		t.Errorf("HTML part does not escape the company name:\n%s", p.HTML)
	}
	if !strings.Contains(strings.Join(strings.Fields(p.Text), " "), "<b>Bold</b> Robotics") {
		t.Errorf("text part lacks the company name as typed:\n%s", p.Text)
	}
}
