package mail_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/mail"
)

// hostile is typed into every free-text field of the samples.
const hostile = `<script>alert("x")</script> & <img src=x onerror=alert(1)>`

// samples returns one filled mail of each kind, with hostile text wherever
// a founder, a partner or an admin types. Its keys are all the kinds.
func samples() map[mail.Kind]mail.Content {
	deadline := fixedNow.Add(48 * time.Hour)
	base := "https://cloudroute.test"
	return map[mail.Kind]mail.Content{
		mail.KindFounderReceipt: mail.FounderReceipt{
			FounderName: "Ana " + hostile, CompanyName: "Acme " + hostile, ReceivedAt: fixedNow,
			StatusURL: base + "/s/abc",
		},
		mail.KindFounderPartnerAssigned: mail.PartnerAssigned{
			FounderName: "Ana", CompanyName: "Acme " + hostile, PartnerName: "Cloudy " + hostile,
			ContactName: "Pat " + hostile, ContactEmail: "pat@cloudy.test", StatusURL: base + "/s/abc",
		},
		mail.KindFounderRerouted: mail.Rerouted{
			FounderName: "Ana", CompanyName: "Acme " + hostile, PreviousPartnerName: "Cloudy " + hostile,
			Reason: "we did not connect " + hostile, StatusURL: base + "/s/abc",
		},
		mail.KindPartnerOffer: mail.OfferNew{
			RecipientName: "Pat", PartnerName: "Cloudy " + hostile, Reference: "INT-7F3A2C",
			Stage: "Seed", Region: "EU", Vertical: "Fintech", ServiceProfile: "AI heavy", EngagementType: "Build",
			FundingSources: []string{"Build for Startups", "Bedrock PoC"}, ProjectedMonthlySpendUSD: 12500,
			UseCase: "Fraud scoring " + hostile, Deadline: deadline, OfferURL: base + "/console/offers/7",
		},
		mail.KindPartnerOfferReminder: mail.OfferReminder{
			RecipientName: "Pat", PartnerName: "Cloudy " + hostile, Reference: "INT-7F3A2C", Deadline: deadline,
			OfferURL: base + "/console/offers/7", UnsubscribeURL: base + "/unsubscribe/r1",
		},
		mail.KindPartnerOfferExpired: mail.OfferExpired{
			RecipientName: "Pat", PartnerName: "Cloudy " + hostile, Reference: "INT-7F3A2C", ExpiredAt: deadline,
			OffersURL: base + "/console/offers",
		},
		mail.KindPartnerHygieneDigest: mail.HygieneDigest{
			RecipientName: "Pat", PartnerName: "Cloudy " + hostile, WeekOf: fixedNow,
			Flags: []mail.HygieneFlag{
				{CompanyName: "Acme " + hostile, Flag: "stale", URL: base + "/console/records/1"},
				{CompanyName: "Beta", Flag: "some_new_flag", URL: base + "/console/records/2"},
			},
			PipelineURL: base + "/console/pipeline", UnsubscribeURL: base + "/unsubscribe/h1",
		},
		mail.KindPartnerStatementInvoiced: mail.StatementInvoiced{
			RecipientName: "Pat", PartnerName: "Cloudy " + hostile, Month: fixedNow, AmountCents: 123456789,
			InvoiceNumber: "INV-2025-03 " + hostile, DueDate: fixedNow.AddDate(0, 0, 30),
			StatementURL: base + "/console/statements/3",
		},
		mail.KindPartnerWebhookDisabled: mail.WebhookDisabled{
			RecipientName: "Pat", PartnerName: "Cloudy " + hostile,
			EndpointURL:  "https://user:pw@hooks.cloudy.test/in?token=SECRET#frag",
			FailingSince: fixedNow.AddDate(0, 0, -3), LastError: "HTTP 503", WebhooksURL: base + "/console/webhooks",
		},
		mail.KindAdminDigest: mail.AdminDigest{
			RecipientName: "Ops", Since: fixedNow.Add(-15 * time.Minute),
			Unroutable: []mail.IntakeLine{{CompanyName: "Acme " + hostile, SubmittedAt: fixedNow, Note: "no partner left", URL: base + "/console/intakes/1"}},
			ConsoleURL: base + "/console", UnsubscribeURL: base + "/unsubscribe/a1",
		},
		mail.KindConsoleInvitation: mail.ConsoleInvitation{
			InviteeName: "Pat " + hostile, InviterName: "Lee " + hostile, Organisation: "Cloudy " + hostile,
			Role: "partner staff", AcceptURL: base + "/console/invitations/tok", ExpiresAt: deadline,
		},
		mail.KindConsolePasswordReset: mail.PasswordReset{
			RecipientName: "Pat " + hostile, ResetURL: base + "/console/reset/tok", ExpiresAt: fixedNow.Add(time.Hour),
		},
	}
}

func TestComposeEveryKind(t *testing.T) {
	c := newComposer(t)
	for kind, content := range samples() {
		t.Run(string(kind), func(t *testing.T) {
			if content.Kind() != kind {
				t.Fatalf("Kind() = %s", content.Kind())
			}
			m, err := c.Compose("evt_1", mail.Address{Name: "Pat", Email: "pat@cloudy.test"}, content)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") {
				t.Errorf("Subject %q", m.Subject)
			}
			if m.Kind != kind || m.EventID != "evt_1" || !m.Date.Equal(fixedNow) {
				t.Errorf("Kind %s, EventID %s, Date %v", m.Kind, m.EventID, m.Date)
			}
			// Escaping: the hostile text is text in the HTML part...
			for _, raw := range []string{"<script", "<img", `alert("x")`} {
				if strings.Contains(m.HTML, raw) {
					t.Errorf("HTML part carries %q unescaped", raw)
				}
			}
			if strings.Contains(hostileFields(content), hostile) && !strings.Contains(m.HTML, "&lt;script&gt;") {
				t.Errorf("HTML part lacks the escaped typed text:\n%s", m.HTML)
			}
			// ...and as typed in the text part, which is not HTML.
			if strings.Contains(hostileFields(content), hostile) && !strings.Contains(words(m.Text), words(hostile)) {
				t.Errorf("text part lacks the typed text as typed:\n%s", m.Text)
			}
			if strings.Contains(m.Text, "&lt;") || strings.Contains(m.Text, "&amp;") {
				t.Errorf("text part is HTML-escaped:\n%s", m.Text)
			}
			for _, line := range strings.Split(m.Text, "\n") {
				if len([]rune(line)) > 72 && !strings.Contains(line, "https://") {
					t.Errorf("text line of %d characters: %q", len([]rune(line)), line)
				}
			}
			// Both parts carry every link.
			for _, u := range links(content) {
				if !strings.Contains(m.Text, u) || !strings.Contains(m.HTML, `href="`+u+`"`) {
					t.Errorf("link %s missing from a part", u)
				}
			}
		})
	}
}

// words collapses whitespace, so that wrapped text compares with its source.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

// hostileFields joins the string fields of content.
func hostileFields(content mail.Content) string {
	var b strings.Builder
	v := reflect.ValueOf(content)
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String {
			b.WriteString(f.String())
		}
	}
	return b.String()
}

// links returns the URL fields of content.
func links(content mail.Content) []string {
	var out []string
	v := reflect.ValueOf(content)
	for i := range v.NumField() {
		if strings.HasSuffix(v.Type().Field(i).Name, "URL") && v.Type().Field(i).Name != "EndpointURL" {
			out = append(out, v.Field(i).String())
		}
	}
	return out
}

// A partner sees no names, emails or domain of a startup before it accepts
// (SPEC §3): the offer mails have no field that could carry them.
func TestOfferMailsCarryNoContacts(t *testing.T) {
	forbidden := []string{"company", "founder", "contact", "email", "website", "domain", "phone"}
	for _, content := range []mail.Content{mail.OfferNew{}, mail.OfferReminder{}, mail.OfferExpired{}} {
		typ := reflect.TypeOf(content)
		for i := range typ.NumField() {
			name := strings.ToLower(typ.Field(i).Name)
			for _, f := range forbidden {
				if strings.Contains(name, f) {
					t.Errorf("%s has a field %s", typ.Name(), typ.Field(i).Name)
				}
			}
		}
	}
}

func TestWebhookDisabledHidesEndpointSecrets(t *testing.T) {
	m, err := newComposer(t).Compose("evt_1", mail.Address{Email: "pat@cloudy.test"}, samples()[mail.KindPartnerWebhookDisabled])
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{m.Text, m.HTML} {
		if strings.Contains(part, "SECRET") || strings.Contains(part, "pw@") {
			t.Errorf("a part shows the endpoint's secret:\n%s", part)
		}
		if !strings.Contains(part, "https://hooks.cloudy.test/in") {
			t.Errorf("a part lacks the endpoint:\n%s", part)
		}
	}
}

func TestComposeMessageID(t *testing.T) {
	c := newComposer(t)
	compose := func(event, to string, content mail.Content) string {
		t.Helper()
		m, err := c.Compose(event, mail.Address{Email: to}, content)
		if err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	id := compose("evt_1", "ana@startup.test", receipt("Acme"))
	if !strings.HasSuffix(id, "@cloudroute.test") || strings.ContainsAny(id, "<> ") {
		t.Fatalf("Message-ID %q", id)
	}
	if strings.Contains(id, "evt_1") || strings.Contains(id, "ana") {
		t.Errorf("Message-ID %q reveals the event or the recipient", id)
	}
	// A resend, even with other content (a corrected name) or the address
	// in other case, is the same mail.
	for _, again := range []string{
		compose("evt_1", "ana@startup.test", receipt("Acme")),
		compose("evt_1", "ana@startup.test", receipt("Acme Inc")),
		compose("evt_1", "ANA@startup.test", receipt("Acme")),
	} {
		if again != id {
			t.Errorf("Message-ID %q, want %q", again, id)
		}
	}
	// Another event, recipient or kind is another mail.
	for _, other := range []string{
		compose("evt_2", "ana@startup.test", receipt("Acme")),
		compose("evt_1", "bob@startup.test", receipt("Acme")),
		compose("evt_1", "ana@startup.test", samples()[mail.KindFounderRerouted]),
	} {
		if other == id {
			t.Errorf("Message-ID %q repeats for another mail", other)
		}
	}
}

func TestComposeUnsubscribe(t *testing.T) {
	c := newComposer(t)
	for kind, content := range samples() {
		m, err := c.Compose("evt_1", mail.Address{Email: "pat@cloudy.test"}, content)
		if err != nil {
			t.Fatal(err)
		}
		canTurnOff := kind == mail.KindPartnerHygieneDigest || kind == mail.KindAdminDigest || kind == mail.KindPartnerOfferReminder
		if got := m.ListUnsubscribe != ""; got != canTurnOff {
			t.Errorf("%s: ListUnsubscribe %q", kind, m.ListUnsubscribe)
		}
		var names []string
		for _, h := range m.Headers() {
			names = append(names, h.Name)
		}
		want := []string{"Auto-Submitted"}
		if canTurnOff {
			want = append(want, "List-Unsubscribe", "List-Unsubscribe-Post")
			if !strings.Contains(m.Text, m.ListUnsubscribe) || !strings.Contains(m.HTML, m.ListUnsubscribe) {
				t.Errorf("%s: a part lacks the opt-out link", kind)
			}
		}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("%s: headers (-want +got):\n%s", kind, diff)
		}
	}

	// One-click unsubscription is for https only (RFC 8058).
	d := samples()[mail.KindAdminDigest].(mail.AdminDigest)
	d.UnsubscribeURL = "http://localhost:8080/unsubscribe/a1"
	m, err := c.Compose("evt_1", mail.Address{Email: "ops@cloudroute.test"}, d)
	if err != nil {
		t.Fatal(err)
	}
	want := []mail.Header{{Name: "Auto-Submitted", Value: "auto-generated"}, {Name: "List-Unsubscribe", Value: "<http://localhost:8080/unsubscribe/a1>"}}
	if diff := cmp.Diff(want, m.Headers()); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
}

func TestComposeRefuses(t *testing.T) {
	c := newComposer(t)
	noUnsub := samples()[mail.KindAdminDigest].(mail.AdminDigest)
	noUnsub.UnsubscribeURL = ""
	badUnsub := noUnsub
	badUnsub.UnsubscribeURL = "https://cloudroute.test/u/x\r\nBcc: victim@example.test"
	noLink := receipt("Acme")
	noLink.StatusURL = ""
	relative := receipt("Acme")
	relative.StatusURL = "/s/abc"
	script := receipt("Acme")
	script.StatusURL = "javascript:alert(1)"
	badItemLink := samples()[mail.KindPartnerHygieneDigest].(mail.HygieneDigest)
	badItemLink.Flags[0].URL = "ftp://x.test/"

	for _, tc := range []struct {
		name    string
		event   string
		to      string
		content mail.Content
	}{
		{"no event id", " ", "ana@startup.test", receipt("Acme")},
		{"recipient not an address", "evt_1", "ana at startup", receipt("Acme")},
		{"recipient with a display name", "evt_1", "Ana <ana@startup.test>", receipt("Acme")},
		{"digest without unsubscribe link", "evt_1", "ops@cloudroute.test", noUnsub},
		{"unsubscribe link with a line break", "evt_1", "ops@cloudroute.test", badUnsub},
		{"missing link", "evt_1", "ana@startup.test", noLink},
		{"relative link", "evt_1", "ana@startup.test", relative},
		{"javascript link", "evt_1", "ana@startup.test", script},
		{"list item link not http", "evt_1", "pat@cloudy.test", badItemLink},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Compose(tc.event, mail.Address{Email: tc.to}, tc.content)
			if err == nil {
				t.Fatal("composed")
			}
			if strings.Contains(err.Error(), "/s/abc") || strings.Contains(err.Error(), "victim") {
				t.Errorf("error repeats the link: %v", err)
			}
		})
	}
}

func TestNewComposer(t *testing.T) {
	c, err := mail.NewComposer(`"CloudRoute Notifications" <notify@Mail.CloudRoute.test>`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(mail.Address{Name: "CloudRoute Notifications", Email: "notify@Mail.CloudRoute.test"}, c.From()); diff != "" {
		t.Error(diff)
	}
	m, err := c.Compose("evt_1", mail.Address{Email: "ana@startup.test"}, receipt("Acme"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(m.ID, "@mail.cloudroute.test") {
		t.Errorf("Message-ID %q: want the sender's domain", m.ID)
	}
	for _, bad := range []string{"", "cloudroute", "CloudRoute <>"} {
		if _, err := mail.NewComposer(bad, nil); err == nil {
			t.Errorf("NewComposer(%q) accepted", bad)
		}
	}
}

// The text part of one mail in full, so that its layout is reviewed as the
// reader sees it.
func TestOfferTextPart(t *testing.T) {
	m, err := newComposer(t).Compose("evt_1", mail.Address{Email: "pat@cloudy.test"}, mail.OfferNew{
		RecipientName: "Pat", PartnerName: "Cloudy Partners", Reference: "INT-7F3A2C",
		Stage: "Seed", Region: "EU", Vertical: "Fintech", ServiceProfile: "AI heavy", EngagementType: "Build",
		FundingSources: []string{"Build for Startups", "Bedrock PoC"}, ProjectedMonthlySpendUSD: 12500,
		UseCase:  "Fraud scoring\non card\tpayments",
		Deadline: fixedNow.Add(48 * time.Hour), OfferURL: "https://cloudroute.test/console/offers/7",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `Hello Pat,

CloudRoute offers Cloudy Partners a new startup, INT-7F3A2C. Accept it
by Thu 6 Mar 2025, 09:30 UTC to see the founders' contact details; after
the deadline it goes to another partner.

  Stage:             Seed
  Region:            EU
  Vertical:          Fintech
  Workload:          AI heavy
  Engagement:        Build
  Funding requested: Build for Startups, Bedrock PoC
  Projected spend:   USD 12,500 a month
  Use case:          Fraud scoring on card payments

Review the offer:
https://cloudroute.test/console/offers/7

CloudRoute

-- 
You get this mail because you work on the CloudRoute offers of Cloudy
Partners. Offer mails cannot be turned off.
`
	if diff := cmp.Diff(want, m.Text); diff != "" {
		t.Errorf("text part (-want +got):\n%s", diff)
	}
	if want := "New offer INT-7F3A2C: answer by Thu 6 Mar 2025, 09:30 UTC"; m.Subject != want {
		t.Errorf("Subject %q, want %q", m.Subject, want)
	}

	// A long use case is cut to an excerpt.
	long, err := newComposer(t).Compose("evt_1", mail.Address{Email: "pat@cloudy.test"}, mail.OfferNew{
		Reference: "INT-1", UseCase: strings.Repeat("word ", 200) + "TAIL",
		Deadline: fixedNow, OfferURL: "https://cloudroute.test/console/offers/1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(long.Text, "TAIL") || !strings.Contains(long.Text, "word…") {
		t.Errorf("use case not cut:\n%s", long.Text)
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		url     string
		want    mail.SMTPServer
		wantErr string
	}{
		{url: "smtp://user:p%40ss@mail.example.test:2525", want: mail.SMTPServer{Host: "mail.example.test", Port: 2525, Username: "user", Password: "p@ss"}},
		{url: "smtp://mail.example.test", want: mail.SMTPServer{Host: "mail.example.test", Port: 587}},
		{url: "smtp://mail.example.test/?starttls=required", want: mail.SMTPServer{Host: "mail.example.test", Port: 587, RequireTLS: true}},
		{url: "smtp://mail.example.test?starttls=opportunistic", want: mail.SMTPServer{Host: "mail.example.test", Port: 587}},
		{url: "smtps://u:pw@[2001:db8::1]", want: mail.SMTPServer{Host: "2001:db8::1", Port: 465, ImplicitTLS: true, Username: "u", Password: "pw"}},
		{url: "http://mail.example.test", wantErr: `scheme "http" is not supported`},
		{url: "mail.example.test:587", wantErr: "not supported"},
		{url: "", wantErr: "no scheme"},
		{url: "smtp://", wantErr: "no host"},
		{url: "smtp://user:pw@:25", wantErr: "no host"},
		{url: "smtp://mail.example.test:0", wantErr: "not a port number"},
		{url: "smtp://mail.example.test:99999", wantErr: "not a port number"},
		{url: "smtp://user@mail.example.test", wantErr: "both a user and a password"},
		{url: "smtp://mail.example.test/relay", wantErr: "has a path"},
		{url: "smtps://mail.example.test?starttls=required", wantErr: "starttls"},
		{url: "smtp://mail.example.test?tls=off", wantErr: `parameter "tls"`},
		{url: "smtp://user:hunter2%zz@mail.example.test", wantErr: "not a URL"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			got, err := mail.ParseSMTPURL(tc.url)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one with %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "pw") {
					t.Errorf("error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSMTPServerRedacted(t *testing.T) {
	s, err := mail.ParseSMTPURL("smtp://mailer:hunter2@mail.example.test?starttls=required")
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []string{s.Redacted(), s.String()} {
		if got != "smtp://mailer:xxxxx@mail.example.test:587?starttls=required" {
			t.Errorf("redacted %q", got)
		}
	}
}
