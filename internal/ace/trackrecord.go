package ace

import (
	"strings"
	"time"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// MaxTrackRecordRequestedUSD bounds the amount an imported outcome says was
// requested. Historical records may predate the pools' current ranges, so
// the bound is only a guard against typing errors.
const MaxTrackRecordRequestedUSD = 10_000_000

// TrackRecordOutcomes are the outcomes a historical record may be imported
// with: the ones that count as decided for the close rate.
var TrackRecordOutcomes = []string{StateApproved, StateRejected}

// decidedAtSkew is how far ahead of the clock a decided_at may be: an
// export written on a machine whose clock runs slightly fast is not wrong.
const decidedAtSkew = time.Minute

// TrackRecordRow is one historical outcome as an admin imports it, from a
// JSON object or a CSV row: times as text, amounts nil when left out.
type TrackRecordRow struct {
	DecidedAt      string
	SubmittedAt    string
	Stage          string
	Region         string
	Vertical       string
	ServiceProfile string
	EngagementType string
	FundingSource  string
	Outcome        string
	RequestedUSD   *int64
	ApprovedUSD    *int64
}

// TrackRecordOutcome is a row that passed CheckTrackRecordRow, ready to be
// stored.
type TrackRecordOutcome struct {
	DecidedAt      time.Time
	SubmittedAt    time.Time
	Stage          string
	Region         string
	Vertical       string
	ServiceProfile string
	EngagementType string
	FundingSource  string
	Outcome        string
	RequestedUSD   int64
	ApprovedUSD    int64
}

// CheckTrackRecordRow checks one imported outcome against the clock now and
// returns it parsed, with every bad field of the row (named as in JSON:
// "decided_at", "approved_usd"); the outcome is usable only when no field
// is bad. The caller says which row a field belongs to, since an import is
// all or nothing and names every bad row.
//
// The rules: both times are RFC 3339 or YYYY-MM-DD (domain.ParseTimeOrDate);
// a decision is not in the future and a submission not after its
// decision; the axes and the pool are from their value sets; the outcome is
// approved or rejected; requested_usd is given, from 0 to
// MaxTrackRecordRequestedUSD; approved_usd is given for an approval, 0 for a
// rejection, and never above the stacked ceiling, which bounds any one
// award.
func CheckTrackRecordRow(row TrackRecordRow, now time.Time) (TrackRecordOutcome, []domain.FieldError) {
	var p domain.FieldCheck
	out := TrackRecordOutcome{Stage: row.Stage, Region: row.Region, Vertical: row.Vertical, ServiceProfile: row.ServiceProfile,
		EngagementType: row.EngagementType, FundingSource: row.FundingSource, Outcome: row.Outcome}
	var ok bool
	if out.DecidedAt, ok = domain.ParseTimeOrDate(row.DecidedAt); !ok {
		p.Add("decided_at", domain.TimeOrDateRule)
	} else if out.DecidedAt.After(now.Add(decidedAtSkew)) {
		p.Add("decided_at", "must not be in the future")
	}
	if out.SubmittedAt, ok = domain.ParseTimeOrDate(row.SubmittedAt); !ok {
		p.Add("submitted_at", domain.TimeOrDateRule)
	} else if !out.DecidedAt.IsZero() && out.SubmittedAt.After(out.DecidedAt) {
		p.Add("submitted_at", "must not be after decided_at")
	}
	// A blank value is "must be one of" too: a CSV cell left empty is a
	// value outside the set, and the message names the set to choose from.
	for _, f := range []struct {
		name, v string
		set     []string
	}{{"stage", row.Stage, domain.Stages}, {"region", row.Region, domain.Regions}, {"vertical", row.Vertical, domain.Verticals},
		{"service_profile", row.ServiceProfile, domain.ServiceProfiles}, {"engagement_type", row.EngagementType, domain.EngagementTypes},
		{"funding_source", row.FundingSource, domain.FundingSources}, {"outcome", row.Outcome, TrackRecordOutcomes}} {
		if !domain.OneOf(f.v, f.set) {
			p.Add(f.name, "must be one of %s", strings.Join(f.set, ", "))
		}
	}

	if row.RequestedUSD == nil || *row.RequestedUSD < 0 || *row.RequestedUSD > MaxTrackRecordRequestedUSD {
		p.Add("requested_usd", "is required: whole USD from 0 to %s", dollars(MaxTrackRecordRequestedUSD))
	} else {
		out.RequestedUSD = *row.RequestedUSD
	}
	switch a := row.ApprovedUSD; {
	case a == nil && row.Outcome == StateApproved:
		p.Add("approved_usd", "is required for an approved outcome")
	case a != nil && (*a < 0 || *a > StackCeilingUSD):
		p.Add("approved_usd", "must be whole USD from 0 to %s", dollars(StackCeilingUSD))
	case a != nil && row.Outcome == StateRejected && *a != 0:
		p.Add("approved_usd", "must be 0 for a rejected outcome")
	case a != nil:
		out.ApprovedUSD = *a
	}
	return out, p.Fields
}
