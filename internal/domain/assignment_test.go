package domain_test

import (
	"testing"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// TestPartnerSeesCustomer: only the partner holding the accepted
// engagement sees who the customer is; before acceptance, and once the
// engagement has ended in any way, it does not (SPEC §3 "Contacts").
func TestPartnerSeesCustomer(t *testing.T) {
	want := map[string]bool{
		domain.AssignmentOffered:   false,
		domain.AssignmentAccepted:  true,
		domain.AssignmentDeclined:  false,
		domain.AssignmentExpired:   false,
		domain.AssignmentReleased:  false,
		domain.AssignmentCancelled: false,
		domain.AssignmentCompleted: false,
		"":                         false,
		"Accepted":                 false,
	}
	for _, s := range domain.AssignmentStatuses {
		if _, ok := want[s]; !ok {
			t.Errorf("status %q has no expectation here: decide whether its partner sees the customer", s)
		}
	}
	for status, w := range want {
		if got := domain.PartnerSeesCustomer(status); got != w {
			t.Errorf("PartnerSeesCustomer(%q) = %v, want %v", status, got, w)
		}
	}
}
