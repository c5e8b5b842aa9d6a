package mail

import (
	"fmt"
	"time"
)

// IntakeLine is one intake in the admin digest.
type IntakeLine struct {
	CompanyName string
	SubmittedAt time.Time
	// Note says why it is listed, e.g. "no eligible partner left" or the
	// proposal waiting for review.
	Note string
	// URL opens the intake in the console.
	URL string
}

// AdminDigest gathers the intakes that need an admin (intake.unroutable,
// intake.pending_review) since the last digest; it goes out at most every
// 15 minutes, and only when one of its lists is not empty. Admins may turn
// it off.
type AdminDigest struct {
	RecipientName  string
	Since          time.Time
	Unroutable     []IntakeLine
	PendingReview  []IntakeLine
	ConsoleURL     string
	UnsubscribeURL string
}

// Kind returns KindAdminDigest.
func (AdminDigest) Kind() Kind { return KindAdminDigest }

func (m AdminDigest) unsubscribeURL() string { return m.UnsubscribeURL }

func (m AdminDigest) letter() letter {
	lines := func(ls []IntakeLine) []item {
		items := make([]item, 0, len(ls))
		for _, l := range ls {
			detail := "submitted " + formatTime(l.SubmittedAt)
			if l.Note != "" {
				detail += "; " + l.Note
			}
			items = append(items, item{Text: l.CompanyName, Detail: detail, URL: l.URL})
		}
		return items
	}
	return letter{
		Subject:  fmt.Sprintf("CloudRoute: %d unroutable, %d waiting for review", len(m.Unroutable), len(m.PendingReview)),
		Greeting: greeting(m.RecipientName),
		Blocks: []block{
			para(txt("New since " + formatTime(m.Since) + ": these intakes need an admin.")),
			heading(fmt.Sprintf("Unroutable (%d)", len(m.Unroutable))),
			list(lines(m.Unroutable), "None."),
			heading(fmt.Sprintf("Waiting for review (%d)", len(m.PendingReview))),
			list(lines(m.PendingReview), "None."),
			button("Open the console", m.ConsoleURL),
		},
		Why: "You get this digest, at most every 15 minutes, because you are a CloudRoute admin.",
	}
}
