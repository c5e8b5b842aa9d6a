package domain

// Intake statuses (SPEC §3 "Intake status"): derived from the intake's
// assignments and records, kept on the intake by every change that moves
// them, and shown to the founder.
const (
	IntakeReceived      = "received"
	IntakeRouting       = "routing"
	IntakePendingReview = "pending_review"
	IntakeOffered       = "offered"
	IntakeEngaged       = "engaged"
	IntakeUnroutable    = "unroutable"
	IntakeWithdrawn     = "withdrawn"
	IntakeClosed        = "closed"
)

// IntakeStatuses is the value set of intake statuses.
var IntakeStatuses = []string{IntakeReceived, IntakeRouting, IntakePendingReview, IntakeOffered, IntakeEngaged,
	IntakeUnroutable, IntakeWithdrawn, IntakeClosed}
