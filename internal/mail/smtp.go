package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// DefaultSMTPTimeout bounds each SMTP conversation step: the dial and every
// command after it.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPConfig configures the SMTP transport.
type SMTPConfig struct {
	// URL is the SMTP_URL setting:
	//   smtp://user:pass@host:587   STARTTLS when the server offers it
	//   smtps://user:pass@host:465  TLS from the first byte
	// The port defaults to 587 and 465. User and password are optional
	// together and percent-encoded. The query parameter starttls=required
	// has the effect of RequireTLS.
	URL string
	// RequireTLS refuses an smtp:// server that does not offer STARTTLS,
	// instead of sending in the clear.
	RequireTLS bool
	// Timeout defaults to DefaultSMTPTimeout.
	Timeout time.Duration
	// RootCAs verifies the server's certificate; nil means the system's.
	RootCAs *x509.CertPool
}

// SMTPServer is a parsed SMTP_URL. It holds the password: never log it
// whole, log Redacted instead.
type SMTPServer struct {
	Host string
	Port int
	// ImplicitTLS is smtps://: TLS from the first byte.
	ImplicitTLS bool
	// RequireTLS refuses a server that does not offer STARTTLS.
	RequireTLS bool
	Username   string
	Password   string
}

// Redacted is the server as an smtp(s) URL with the password replaced, for
// logs and the console.
func (s SMTPServer) Redacted() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port))}
	if s.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.Username != "" {
		u.User = url.UserPassword(s.Username, "xxxxx")
	}
	if s.RequireTLS && !s.ImplicitTLS {
		u.RawQuery = "starttls=required"
	}
	return u.String()
}

// String is Redacted, so that printing a server by mistake shows no
// password.
func (s SMTPServer) String() string { return s.Redacted() }

// ParseSMTPURL reads an SMTP_URL. Its errors never quote the URL, which may
// hold a password.
func ParseSMTPURL(raw string) (SMTPServer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the whole URL, password included.
		return SMTPServer{}, errors.New("mail: SMTP_URL is not a URL")
	}
	var s SMTPServer
	switch u.Scheme {
	case "smtp":
		s.Port = 587
	case "smtps":
		s.Port, s.ImplicitTLS = 465, true
	case "":
		return SMTPServer{}, errors.New("mail: SMTP_URL has no scheme: want smtp:// or smtps://")
	default:
		return SMTPServer{}, fmt.Errorf("mail: SMTP_URL scheme %q is not supported: want smtp:// or smtps://", u.Scheme)
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return SMTPServer{}, errors.New("mail: SMTP_URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPServer{}, fmt.Errorf("mail: SMTP_URL port %q is not a port number", p)
		}
		s.Port = n
	}
	if u.Path != "" && u.Path != "/" {
		return SMTPServer{}, errors.New("mail: SMTP_URL has a path; it takes none")
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
		if s.Username == "" || s.Password == "" {
			return SMTPServer{}, errors.New("mail: SMTP_URL needs both a user and a password, or neither")
		}
	}
	for k, v := range u.Query() {
		switch {
		case k == "starttls" && len(v) == 1 && v[0] == "required" && !s.ImplicitTLS:
			s.RequireTLS = true
		case k == "starttls" && len(v) == 1 && v[0] == "opportunistic" && !s.ImplicitTLS:
		case k == "starttls":
			return SMTPServer{}, errors.New("mail: SMTP_URL starttls must be required or opportunistic, and only on smtp://")
		default:
			return SMTPServer{}, fmt.Errorf("mail: SMTP_URL parameter %q is not known", k)
		}
	}
	return s, nil
}

// SMTP is the Transport that sends by SMTP, one connection per mail: mails
// are rare, and a connection left open would go stale between them.
type SMTP struct {
	server  SMTPServer
	timeout time.Duration
	tls     *tls.Config
}

// NewSMTP returns the SMTP transport of cfg. It fails when the URL is not
// valid (see ParseSMTPURL); it does not connect.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	s, err := ParseSMTPURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	s.RequireTLS = s.RequireTLS || cfg.RequireTLS
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultSMTPTimeout
	}
	return &SMTP{
		server:  s,
		timeout: timeout,
		tls:     &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12, RootCAs: cfg.RootCAs},
	}, nil
}

// Server returns the parsed SMTP_URL; log it with Redacted.
func (t *SMTP) Server() SMTPServer { return t.server }

// Send delivers m to its recipient through the server. An error wraps
// ErrRejected when the server refused the mail for good (a 5xx reply to
// MAIL, RCPT or DATA).
//
// Credentials are sent only over TLS: with an smtp:// server that offers no
// STARTTLS, Send fails rather than authenticate in the clear.
func (t *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := t.message(m)
	if err != nil {
		return err
	}
	opts := []gomail.Option{
		gomail.WithPort(t.server.Port),
		gomail.WithTimeout(t.timeout),
		gomail.WithTLSConfig(t.tls),
	}
	switch {
	case t.server.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case t.server.RequireTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if t.server.Username != "" {
		// Auto-discovery picks the strongest mechanism the server offers,
		// and none that sends the password as it is (PLAIN, LOGIN) unless
		// the connection is encrypted.
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(t.server.Username),
			gomail.WithPassword(t.server.Password))
	}
	c, err := gomail.NewClient(t.server.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail: SMTP client for %s: %w", t.server.Redacted(), err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return fmt.Errorf("%w: %s: %w", ErrRejected, m.Kind, err)
		}
		return fmt.Errorf("mail: send %s through %s: %w", m.Kind, t.server.Redacted(), err)
	}
	return nil
}

// message builds the MIME message of m: multipart/alternative with the text
// part first, so that a client showing the last part it can render shows
// the HTML.
func (t *SMTP) message(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(m.From.String()); err != nil {
		return nil, fmt.Errorf("mail: %s: sender: %w", m.Kind, err)
	}
	if err := msg.To(m.To.String()); err != nil {
		return nil, fmt.Errorf("mail: %s: recipient: %w", m.Kind, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID)
	if m.Date.IsZero() {
		m.Date = time.Now()
	}
	msg.SetDateWithValue(m.Date)
	for _, h := range m.Headers() {
		// Our headers are ASCII (links are checked by Compose) and must
		// reach the recipient exactly as written.
		msg.SetGenHeaderPreformatted(gomail.Header(h.Name), h.Value)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}
