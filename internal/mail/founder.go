package mail

import "time"

// Mails to founders. A founder has no account: the status link in each mail
// is their way back to the intake, so every one of these mails carries it.

// FounderReceipt confirms an intake (intake.received) and gives the founder
// their private status link.
type FounderReceipt struct {
	FounderName string
	CompanyName string
	ReceivedAt  time.Time
	// StatusURL is the founder's private status page. It is a secret:
	// anyone holding it sees the intake.
	StatusURL string
}

// Kind returns KindFounderReceipt.
func (FounderReceipt) Kind() Kind { return KindFounderReceipt }

func (m FounderReceipt) letter() letter {
	return letter{
		Subject:  "We received your request for " + m.CompanyName,
		Greeting: greeting(m.FounderName),
		Blocks: []block{
			para(txt("Thank you. We received the request for "), bold(m.CompanyName),
				txt(" on "+formatTime(m.ReceivedAt)+". We are looking for the AWS partner that fits it best, and we will write again when one has taken it on.")),
			para(txt("Your status page shows where the request stands, and lets you withdraw it.")),
			button("See the status of your request", m.StatusURL),
			para(txt("This link is private: anyone who has it can see your request, so please do not forward this mail.")),
		},
		Why: "You get this mail because this address was given when the request was submitted.",
	}
}

// PartnerAssigned tells the founder which partner accepted the intake
// (assignment.accepted), with the partner's contact: from acceptance on,
// both sides know each other.
type PartnerAssigned struct {
	FounderName  string
	CompanyName  string
	PartnerName  string
	ContactName  string
	ContactEmail string
	StatusURL    string
}

// Kind returns KindFounderPartnerAssigned.
func (PartnerAssigned) Kind() Kind { return KindFounderPartnerAssigned }

func (m PartnerAssigned) letter() letter {
	return letter{
		Subject:  "Your AWS partner is " + m.PartnerName,
		Greeting: greeting(m.FounderName),
		Blocks: []block{
			para(bold(m.PartnerName), txt(" has taken on the request for "), bold(m.CompanyName),
				txt(". They now see your contact details and will get in touch to arrange a first call.")),
			facts(
				fact{"Partner", m.PartnerName},
				fact{"Contact", m.ContactName},
				fact{"Email", m.ContactEmail},
			),
			para(txt("If you do not hear from them, or the call does not lead anywhere, you can ask for another partner from your status page.")),
			button("See the status of your request", m.StatusURL),
		},
		Why: "You get this mail because you submitted a request to CloudRoute.",
	}
}

// Rerouted tells the founder that the accepted partner no longer has the
// intake (assignment.released) and that a new one is being sought.
type Rerouted struct {
	FounderName string
	CompanyName string
	// PreviousPartnerName is the partner that had accepted; the founder
	// already knows it.
	PreviousPartnerName string
	// Reason is the reason given for the release, when there is one.
	Reason    string
	StatusURL string
}

// Kind returns KindFounderRerouted.
func (Rerouted) Kind() Kind { return KindFounderRerouted }

func (m Rerouted) letter() letter {
	first := para(txt("The request for "), bold(m.CompanyName), txt(" is being matched with a new AWS partner."))
	if m.PreviousPartnerName != "" {
		first = para(bold(m.PreviousPartnerName), txt(" is no longer working on the request for "), bold(m.CompanyName),
			txt(", so we are matching it with a new AWS partner. It will not go back to a partner it has already had."))
	}
	return letter{
		Subject:  "We are finding a new partner for " + m.CompanyName,
		Greeting: greeting(m.FounderName),
		Blocks: []block{
			first,
			facts(fact{"Reason given", m.Reason}),
			para(txt("We will write again when a partner has taken it on.")),
			button("See the status of your request", m.StatusURL),
		},
		Why: "You get this mail because you submitted a request to CloudRoute.",
	}
}
