package acesync

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// aceDecides are the moves of a record that AWS's review makes once the
// record is linked: ACE's review status decides submitted → validated and
// the rejections, and ACE's stage Launched decides approved → launched. The
// sync applies them from ACE (Decide) as the actor "aws".
var aceDecides = map[[2]string]bool{
	{ace.StateSubmitted, ace.StateValidated}: true,
	{ace.StateSubmitted, ace.StateRejected}:  true,
	{ace.StateValidated, ace.StateRejected}:  true,
	{ace.StateApproved, ace.StateLaunched}:   true,
}

// CheckLinkedMove is the rule of a record linked to ACE: ACE is the source
// of truth for what ACE decides, so a partner cannot move the record
// through AWS's review by hand. It refuses, for the partner role, the moves
// AWS makes (submitted → validated or rejected, validated → rejected,
// approved → launched) with invalid_transition (409), naming ACE. Everything
// else stays as the state machine allows: the partner submits (the sync
// then submits to ACE), withdraws, records the award (validated →
// approved, with approved_usd, which ACE does not carry) and closes. An
// admin may still make any move the state machine allows, to correct what
// the sync could not. The state machine itself is ace.CheckTransition's.
func CheckLinkedMove(role, from, to string) error {
	if role != domain.RolePartner || !aceDecides[[2]string{from, to}] {
		return nil
	}
	what := "AWS's review"
	if to == ace.StateLaunched {
		what = "the opportunity's stage in ACE"
	}
	return domain.Errorf(domain.ECodeInvalidTransition,
		"the record is linked to ACE, so %s decides %s → %s: the ACE sync moves it when AWS does", what, from, to)
}

// CheckLinkable decides whether a record in state may be linked to ACE
// (conflict, 409, when not): only a draft (identified). A record already
// submitted was filed with AWS by hand, and linking it would file it a
// second time.
func CheckLinkable(state string) error {
	if state == ace.StateIdentified {
		return nil
	}
	return domain.Errorf(domain.ECodeConflict,
		"only an identified record can be linked to ACE; a %s record was already filed with AWS without the sync", state)
}

var reSolutionID = regexp.MustCompile(`^S-[0-9]{1,19}$`)

// CheckExtra validates what a partner gives when it links a record (the
// members ACE needs that a CloudRoute record does not hold) and returns it
// normalised (trimmed, the country code in upper case). Every bad field is
// named at once, validation_failed (422). It checks the form of each value;
// whether ACE has all it needs is the pre-flight's (Preflight).
func CheckExtra(x Extra) (Extra, error) {
	var p domain.FieldCheck
	trim := func(s *string) { *s = strings.TrimSpace(*s) }
	trim(&x.CountryCode)
	x.CountryCode = strings.ToUpper(x.CountryCode)
	trim(&x.PostalCode)
	trim(&x.StateOrRegion)
	trim(&x.City)
	trim(&x.StreetAddress)
	trim(&x.SolutionID)
	if x.CountryCode != "" && !slices.Contains(pc.CountryCodes, x.CountryCode) {
		p.Add("country_code", "must be an ISO 3166 alpha-2 country code that ACE knows, such as US or DE")
	}
	domain.CheckText(&p, "postal_code", x.PostalCode, 0, 20, false)
	if domain.CheckText(&p, "state_or_region", x.StateOrRegion, 0, 255, false) &&
		x.StateOrRegion != "" && x.CountryCode == pc.CountryUS && !slices.Contains(pc.USStatesOrRegions, x.StateOrRegion) {
		p.Add("state_or_region", "must be a US state or territory as ACE names it, such as California")
	}
	domain.CheckText(&p, "city", x.City, 0, 255, false)
	domain.CheckText(&p, "street_address", x.StreetAddress, 0, 255, false)
	if x.SolutionID != "" && !reSolutionID.MatchString(x.SolutionID) {
		p.Add("solution_id", "must be a Partner Central solution id such as S-1234567")
	}
	seen := map[string]bool{}
	for i, m := range x.DeliveryModels {
		field := fmt.Sprintf("delivery_models[%d]", i)
		switch {
		case !slices.Contains(pc.DeliveryModels, m):
			p.Add(field, "must be one of ACE's delivery models: %s", strings.Join(pc.DeliveryModels, ", "))
		case seen[m]:
			p.Add(field, "is given twice")
		}
		seen[m] = true
	}
	return x, p.Err(domain.ECodeValidation, "the link has invalid fields")
}

// Preflight checks the opportunity a record maps to against ACE's rules
// (partnercentral.ValidateCreate), before anything is sent: the partner
// reads "Project.CustomerBusinessProblem must be at least 20 characters"
// in CloudRoute, with the CloudRoute field to fix (CloudRouteField),
// instead of a rejection from AWS. An empty result means the record may be
// filed.
func Preflight(catalog string, r Record, now time.Time) []pc.FieldError {
	return pc.ValidateCreate(CreateRequest(catalog, r), now)
}

// SyncError is what stopped the last push of a linked record, kept on the
// record's sync state for the partner: a code, a sentence, and for a
// validation failure ACE's field list.
type SyncError struct {
	Code    string
	Message string
	Fields  []pc.FieldError
}

// Sync error codes.
const (
	// SyncPreflight: the record breaks ACE's rules (Preflight); nothing was
	// sent, and nothing is sent until the partner fixes it.
	SyncPreflight = "preflight_failed"
	// SyncACEValidation: ACE refused the request (ValidationException),
	// with its field list; not retried.
	SyncACEValidation = "ace_validation"
	// SyncSubmissionFailed: ACE's submission task failed, with its reason.
	SyncSubmissionFailed = "submission_failed"
	// SyncConnection: the connection does not work (credentials, access
	// denied, an endpoint that does not answer); the push resumes once the
	// partner fixes the connection.
	SyncConnection = "connection"
	// SyncNoConnection: the partner has no connection any more.
	SyncNoConnection = "no_connection"
	// SyncRetrying: ACE throttled the push or failed; it is retried with
	// backoff.
	SyncRetrying = "retrying"
	// SyncNotFound: ACE no longer knows the opportunity.
	SyncNotFound = "opportunity_not_found"
	// SyncConflict: the opportunity kept changing under the push; the next
	// push reads it again.
	SyncConflict = "conflict"
)

// FixedByEdit reports whether an edit of the record may clear an error of
// this code: the record's content caused it, not the connection.
func FixedByEdit(code string) bool {
	return code == SyncPreflight || code == SyncACEValidation || code == SyncSubmissionFailed
}

// actionRequiredFields are the record fields that map to the members ACE
// lets a partner change while AWS asks for action (the website, the
// business problem, the spend; the target close date stays editable
// anyway): the partner's fix must be possible in CloudRoute, since the
// sync sends it.
var actionRequiredFields = []string{"website", "use_case", "projected_monthly_spend"}

// EditableFields returns the fields a partner may change on a linked
// record in state: ace.EditableFields, and, while ACE's review asks for
// action on a submitted record, the fields the fix needs.
func EditableFields(state string, actionRequired bool) []string {
	out := ace.EditableFields(state)
	if actionRequired && state == ace.StateSubmitted {
		for _, f := range actionRequiredFields {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// CheckEdit is ace.CheckEdit for a linked record: while ACE asks for
// action on a submitted record, the fields the fix needs are editable too
// (EditableFields).
func CheckEdit(state string, actionRequired bool, patch ace.RecordFields) error {
	if !actionRequired || state != ace.StateSubmitted {
		return ace.CheckEdit(state, patch)
	}
	editable := EditableFields(state, true)
	var p domain.FieldCheck
	for _, name := range patch.SetFields() {
		if !slices.Contains(editable, name) {
			p.Add(name, "cannot be changed once the record is %s", state)
		}
	}
	return p.Err(domain.ECodeValidation, "the patch changes fields that are locked in state "+state)
}
