package ace

import "github.com/cloudroute/cloudroute/internal/domain"

// SeenByPartner returns what a partner whose assignment is in
// assignmentStatus sees of its record in state: the record's fields, and
// the names of those it may still edit (nil for none). Only the partner
// holding the accepted engagement sees who the customer is
// (domain.PartnerSeesCustomer). Once the engagement was released or has
// ended, the partner keeps its record for its own books, but without the
// customer's details, and edits nothing.
func SeenByPartner(f RecordFields, state, assignmentStatus string) (RecordFields, []string) {
	if !domain.PartnerSeesCustomer(assignmentStatus) {
		return WithoutCustomer(f), nil
	}
	return f, EditableFields(state)
}
