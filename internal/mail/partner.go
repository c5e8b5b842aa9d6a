package mail

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Mails to a partner's staff. Until the partner accepts an offer it sees the
// startup's profile but no names, emails or company domain (SPEC §3): the
// offer mails have no field that could carry them, and name an intake by
// its reference only.

// OfferNew tells partner staff of a new offer (assignment.offered) and its
// deadline. It cannot be turned off.
type OfferNew struct {
	RecipientName string
	PartnerName   string
	// Reference names the intake without revealing it, e.g. "INT-7F3A2C".
	Reference string
	// The profile, as display labels ("Series A", "EU"...).
	Stage          string
	Region         string
	Vertical       string
	ServiceProfile string
	EngagementType string
	FundingSources []string
	// ProjectedMonthlySpendUSD is the sum of the projected monthly spend
	// lines, in whole dollars; zero leaves it out.
	ProjectedMonthlySpendUSD int64
	// UseCase is the founder's own text. It is cut to an excerpt.
	UseCase  string
	Deadline time.Time
	OfferURL string
}

// Kind returns KindPartnerOffer.
func (OfferNew) Kind() Kind { return KindPartnerOffer }

func (m OfferNew) letter() letter {
	spend := ""
	if m.ProjectedMonthlySpendUSD > 0 {
		spend = formatUSD(m.ProjectedMonthlySpendUSD) + " a month"
	}
	return letter{
		Subject:  fmt.Sprintf("New offer %s: answer by %s", m.Reference, formatTime(m.Deadline)),
		Greeting: greeting(m.RecipientName),
		Blocks: []block{
			para(txt("CloudRoute offers "), bold(m.PartnerName), txt(" a new startup, "), bold(m.Reference),
				txt(". Accept it by "), bold(formatTime(m.Deadline)),
				txt(" to see the founders' contact details; after the deadline it goes to another partner.")),
			facts(
				fact{"Stage", m.Stage},
				fact{"Region", m.Region},
				fact{"Vertical", m.Vertical},
				fact{"Workload", m.ServiceProfile},
				fact{"Engagement", m.EngagementType},
				fact{"Funding requested", strings.Join(m.FundingSources, ", ")},
				fact{"Projected spend", spend},
				fact{"Use case", truncate(oneLine(m.UseCase), 300)},
			),
			button("Review the offer", m.OfferURL),
		},
		Why: "You get this mail because you work on the CloudRoute offers of " + m.PartnerName + ". Offer mails cannot be turned off.",
	}
}

// OfferReminder reminds partner staff of an offer nobody has answered
// before its deadline (assignment.expiring). Recipients may turn reminders
// off.
type OfferReminder struct {
	RecipientName  string
	PartnerName    string
	Reference      string
	Deadline       time.Time
	OfferURL       string
	UnsubscribeURL string
}

// Kind returns KindPartnerOfferReminder.
func (OfferReminder) Kind() Kind { return KindPartnerOfferReminder }

func (m OfferReminder) unsubscribeURL() string { return m.UnsubscribeURL }

func (m OfferReminder) letter() letter {
	return letter{
		Subject:  fmt.Sprintf("Reminder: offer %s lapses %s", m.Reference, formatTime(m.Deadline)),
		Greeting: greeting(m.RecipientName),
		Blocks: []block{
			para(txt("The offer of "), bold(m.Reference), txt(" to "), bold(m.PartnerName),
				txt(" has no answer yet. It lapses on "), bold(formatTime(m.Deadline)),
				txt(", and the startup then goes to another partner.")),
			button("Review the offer", m.OfferURL),
		},
		Why: "You get this reminder because you work on the CloudRoute offers of " + m.PartnerName + ".",
	}
}

// OfferExpired tells partner staff that an offer lapsed unanswered
// (assignment.expired).
type OfferExpired struct {
	RecipientName string
	PartnerName   string
	Reference     string
	ExpiredAt     time.Time
	// OffersURL lists the partner's current offers.
	OffersURL string
}

// Kind returns KindPartnerOfferExpired.
func (OfferExpired) Kind() Kind { return KindPartnerOfferExpired }

func (m OfferExpired) letter() letter {
	return letter{
		Subject:  fmt.Sprintf("Offer %s lapsed", m.Reference),
		Greeting: greeting(m.RecipientName),
		Blocks: []block{
			para(txt("The offer of "), bold(m.Reference), txt(" to "), bold(m.PartnerName),
				txt(" lapsed unanswered on "+formatTime(m.ExpiredAt)+", and the startup has gone to another partner.")),
			para(txt("Offers left to lapse count against the acceptance rate in your health score.")),
			button("See your offers", m.OffersURL),
		},
		Why: "You get this mail because you work on the CloudRoute offers of " + m.PartnerName + ".",
	}
}

// HygieneFlag is one flag of the weekly hygiene digest, on an accepted
// record: the startup is the partner's own, so its name may be shown.
type HygieneFlag struct {
	CompanyName string
	// Flag is the flag's code (SPEC §6): stale, close_date_expired,
	// stuck_identified, follow_up_overdue or outcome_missing.
	Flag string
	// URL opens the record in the console.
	URL string
}

// HygieneDigest is the weekly summary of a partner's open hygiene flags.
// Recipients may turn it off.
type HygieneDigest struct {
	RecipientName  string
	PartnerName    string
	WeekOf         time.Time
	Flags          []HygieneFlag
	PipelineURL    string
	UnsubscribeURL string
}

// Kind returns KindPartnerHygieneDigest.
func (HygieneDigest) Kind() Kind { return KindPartnerHygieneDigest }

func (m HygieneDigest) unsubscribeURL() string { return m.UnsubscribeURL }

// hygieneFlagText explains each flag code in words; an unknown code is
// shown as it is.
var hygieneFlagText = map[string]string{
	"stale":              "no update in 30 days",
	"close_date_expired": "the target close date has passed",
	"stuck_identified":   "identified for more than 60 days",
	"follow_up_overdue":  "accepted, but no record or update within 5 business days",
	"outcome_missing":    "not closed out within 7 days of the target close date",
}

func (m HygieneDigest) letter() letter {
	items := make([]item, 0, len(m.Flags))
	for _, f := range m.Flags {
		detail, ok := hygieneFlagText[f.Flag]
		if !ok {
			detail = f.Flag
		}
		items = append(items, item{Text: f.CompanyName, Detail: detail, URL: f.URL})
	}
	subject := fmt.Sprintf("%s pipeline: %d records need attention", m.PartnerName, len(m.Flags))
	switch len(m.Flags) {
	case 0:
		subject = m.PartnerName + " pipeline: nothing needs attention"
	case 1:
		subject = m.PartnerName + " pipeline: 1 record needs attention"
	}
	return letter{
		Subject:  subject,
		Greeting: greeting(m.RecipientName),
		Blocks: []block{
			para(txt("The pipeline of "), bold(m.PartnerName), txt(" for the week of "+formatDate(m.WeekOf)+".")),
			list(items, "No record is flagged this week. Thank you for keeping it up to date."),
			button("Open the pipeline", m.PipelineURL),
		},
		Why: "You get this weekly digest because you work on the CloudRoute pipeline of " + m.PartnerName + ".",
	}
}

// StatementInvoiced tells partner staff that a monthly commission
// statement was invoiced (statement.invoiced).
type StatementInvoiced struct {
	RecipientName string
	PartnerName   string
	// Month is any time in the statement's month.
	Month         time.Time
	AmountCents   int64
	InvoiceNumber string
	// DueDate is left out when zero.
	DueDate      time.Time
	StatementURL string
}

// Kind returns KindPartnerStatementInvoiced.
func (StatementInvoiced) Kind() Kind { return KindPartnerStatementInvoiced }

func (m StatementInvoiced) letter() letter {
	month := m.Month.UTC().Format("January 2006")
	due := ""
	if !m.DueDate.IsZero() {
		due = formatDate(m.DueDate)
	}
	return letter{
		Subject:  fmt.Sprintf("%s commission statement for %s: %s", m.PartnerName, month, formatCents(m.AmountCents)),
		Greeting: greeting(m.RecipientName),
		Blocks: []block{
			para(txt("The commission statement of "), bold(m.PartnerName), txt(" for "+month+" has been invoiced.")),
			facts(
				fact{"Amount", formatCents(m.AmountCents)},
				fact{"Invoice", m.InvoiceNumber},
				fact{"Due", due},
			),
			para(txt("The statement lists the closed credits it is made of.")),
			button("See the statement", m.StatementURL),
		},
		Why: "You get this mail because you work on the CloudRoute account of " + m.PartnerName + ".",
	}
}

// WebhookDisabled tells partner staff that a webhook endpoint was disabled
// after failing for days.
type WebhookDisabled struct {
	RecipientName string
	PartnerName   string
	// EndpointURL is shown without its query and user info, which may hold
	// a token.
	EndpointURL  string
	FailingSince time.Time
	// LastError describes the last failure, e.g. "HTTP 503" or "timeout".
	LastError   string
	WebhooksURL string
}

// Kind returns KindPartnerWebhookDisabled.
func (WebhookDisabled) Kind() Kind { return KindPartnerWebhookDisabled }

func (m WebhookDisabled) letter() letter {
	return letter{
		Subject:  m.PartnerName + ": a webhook endpoint was disabled",
		Greeting: greeting(m.RecipientName),
		Blocks: []block{
			para(txt("Every delivery to a webhook endpoint of "), bold(m.PartnerName),
				txt(" has failed since "+formatTime(m.FailingSince)+", so CloudRoute has stopped sending to it.")),
			facts(
				fact{"Endpoint", displayEndpoint(m.EndpointURL)},
				fact{"Last error", m.LastError},
			),
			para(txt("Once the endpoint answers again, enable it in the console; you can then redeliver the events it missed.")),
			button("Manage webhooks", m.WebhooksURL),
		},
		Why: "You get this mail because you manage the CloudRoute webhooks of " + m.PartnerName + ".",
	}
}

// displayEndpoint drops what an endpoint URL may hide a secret in.
func displayEndpoint(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(unreadable URL)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}
