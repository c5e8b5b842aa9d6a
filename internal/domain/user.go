package domain

// A person's account moves invited → active, and may be disabled.
const (
	UserInvited  = "invited"
	UserActive   = "active"
	UserDisabled = "disabled"
)

// UserStatuses is the value set of account statuses.
var UserStatuses = []string{UserInvited, UserActive, UserDisabled}
