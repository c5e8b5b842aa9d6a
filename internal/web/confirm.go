package web

import (
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// confirmPage is the confirmation step of re-route and withdraw: the page
// that says what will happen, with the form that does it.
type confirmPage struct {
	layout
	ID, Company string
	// Partner is the accepted partner's name, when there is one.
	Partner string
	CSRF    string
	// Allowed is false when the intake's status does not allow the action;
	// Refusal then says why.
	Allowed bool
	Refusal string
	// Reason is the reason typed, kept when the page is shown again;
	// Error is the message next to it.
	Reason, Error string
	// Problem is a refusal of the action as a whole (409).
	Problem string
}

// statusSentence says an intake's status for a refusal: "Your intake is
// withdrawn."
func statusSentence(status string) string {
	words, ok := statusWords[status]
	if !ok {
		return "Your intake is " + status + "."
	}
	return "Your intake's status: " + words[0] + "."
}

func isFinal(status string) bool {
	return status == postgres.IntakeWithdrawn || status == postgres.IntakeClosed
}
