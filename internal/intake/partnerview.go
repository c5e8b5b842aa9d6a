package intake

import (
	"strings"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// Profile is what any partner offered an intake may see of it (SPEC §3
// "Contacts"): the routing axes, the team size, the pools requested, the
// projected spend and the use case. Nothing in it names the customer or
// whom to contact.
type Profile struct {
	Stage                   string
	Region                  string
	Vertical                string
	ServiceProfile          string
	EngagementType          string
	TeamSize                int
	RequestedFundingSources []string
	ProjectedMonthlySpend   []SpendLine
	ProjectedMonthlyUSD     int64
	UseCase                 string
	CompetingCloud          string
}

// Customer is who the customer is and whom to contact: the company, its
// website and domain, its AWS account, its last round and both contacts.
type Customer struct {
	CompanyName      string
	Website          string
	CustomerDomain   string
	AWSAccountID     *string
	LastRound        *Round
	TechnicalContact *Contact
	BusinessContact  *Contact
}

// PartnerView is what a partner sees of an intake.
type PartnerView struct {
	Profile Profile
	// Customer is nil unless the partner holds the accepted engagement.
	Customer *Customer
}

// SeenByPartner returns what a partner whose assignment is in
// assignmentStatus sees of an intake: always its profile, and who the
// customer is only while domain.PartnerSeesCustomer holds, so that an
// offer can be weighed without the customer being exposed to a partner
// that may decline it.
func SeenByPartner(p Profile, c Customer, assignmentStatus string) PartnerView {
	v := PartnerView{Profile: p}
	if domain.PartnerSeesCustomer(assignmentStatus) {
		v.Customer = &c
	}
	return v
}

// Reference names an intake to a partner before it accepts, in offer
// mails and notices ("INT-7F3A2C"): it is derived from the intake id, so it
// says nothing the partner's own assignment does not, and it is short
// enough to say on a call.
func Reference(intakeID string) string {
	hex := strings.ToUpper(strings.ReplaceAll(intakeID, "-", ""))
	if len(hex) > 6 {
		hex = hex[:6]
	}
	return "INT-" + hex
}
