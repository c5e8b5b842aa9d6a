package domain

import "time"

// Assignment statuses: an offer of an intake to one partner and what
// became of it.
const (
	AssignmentOffered   = "offered"
	AssignmentAccepted  = "accepted"
	AssignmentDeclined  = "declined"
	AssignmentExpired   = "expired"
	AssignmentReleased  = "released"
	AssignmentCancelled = "cancelled"
	AssignmentCompleted = "completed"
)

// AssignmentStatuses is the value set of assignment statuses.
var AssignmentStatuses = []string{AssignmentOffered, AssignmentAccepted, AssignmentDeclined, AssignmentExpired,
	AssignmentReleased, AssignmentCancelled, AssignmentCompleted}

// PartnerSeesCustomer reports whether a partner whose assignment is in
// this status may see who the customer is and whom to contact (names,
// emails, company, domain, AWS account). Only the partner holding the
// accepted engagement does (SPEC §3 "Contacts"): before acceptance the
// partner sees the profile alone, and once the engagement was released or
// has ended the partner no longer needs the customer's details, so it loses
// them.
func PartnerSeesCustomer(assignmentStatus string) bool {
	return assignmentStatus == AssignmentAccepted
}

// OfferReminderAt is when an offer made at offeredAt and lapsing at
// expiresAt is due a reminder: pct percent of the way from one to the
// other. ok is false when pct is 0 (reminders off) or the reminder would
// not come before the deadline.
func OfferReminderAt(offeredAt, expiresAt time.Time, pct int) (at time.Time, ok bool) {
	if pct <= 0 || pct >= 100 || !expiresAt.After(offeredAt) {
		return time.Time{}, false
	}
	at = offeredAt.Add(expiresAt.Sub(offeredAt) * time.Duration(pct) / 100).Truncate(time.Microsecond)
	return at, at.Before(expiresAt)
}

// OfferReminderDue reports whether an offer's reminder is to be written
// now: the offer is still unanswered, has a reminder time that has come,
// was not reminded yet, and has not lapsed (an expired offer gets its
// expiry notice instead).
func OfferReminderDue(status string, remindAt *time.Time, reminded bool, expiresAt, now time.Time) bool {
	return status == AssignmentOffered && remindAt != nil && !reminded && !now.Before(*remindAt) && now.Before(expiresAt)
}
