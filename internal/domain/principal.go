package domain

// Roles of an authenticated caller.
const (
	RoleAdmin   = "admin"
	RolePartner = "partner"
	RoleFounder = "founder"
	// RoleAWS is the ACE sync acting for AWS: the moves AWS's review
	// makes on a linked record (submitted, validated, rejected, launched)
	// are recorded with it.
	RoleAWS = "aws"
)

// Principal is who is calling: an API key's holder, or a founder holding an
// intake's access token; or AWS, whose answers the ACE sync applies.
type Principal struct {
	Role      string
	KeyID     string // api_keys.id, for admins and partners
	PartnerID string // for partners
	IntakeID  string // for founders
	UserID    string // users.id, for a person signed in to the console
}
