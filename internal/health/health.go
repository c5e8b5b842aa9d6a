// Package health holds the rules of pipeline hygiene (SPEC §3 "Pipeline
// hygiene", seed 000): the five flags the daily scan raises on a partner's
// open ACE records and accepted assignments, the weekly submission cadence
// with its "batch" warning, the partner health score, and the monthly
// snapshot. It does no I/O: the scan job loads records and assignments, calls
// these functions with an injected "now", and stores what they return.
//
// Every time is handled in UTC, where a day is always 24 hours. The exact
// boundaries, and the reasons for them, are in docs/pipeline-health.md.
package health

import (
	"time"

	"github.com/cloudroute/cloudroute/internal/ace"
)

// Flag kinds (SPEC §3). The strings are the ones stored and shown in JSON.
const (
	FlagStale            = "stale"              // open record: no update in StaleDays (30)
	FlagCloseDateExpired = "close_date_expired" // open record: target close date has passed
	FlagStuckIdentified  = "stuck_identified"   // record in identified for more than StuckIdentifiedDays (60)
	FlagFollowUpOverdue  = "follow_up_overdue"  // accepted assignment with no record and no update within FollowUpBusinessDays (5) business days of acceptance
	FlagOutcomeMissing   = "outcome_missing"    // open record not closed out within OutcomeGraceDays (7) after the target close date
)

// Flags lists every flag kind, in the order RecordFlags and the score
// explanation use.
var Flags = []string{FlagStale, FlagCloseDateExpired, FlagStuckIdentified, FlagFollowUpOverdue, FlagOutcomeMissing}

// day is a UTC calendar day: UTC has no daylight-saving shifts.
const day = 24 * time.Hour

// Settings are the hygiene thresholds. They mirror the admin settings of
// the same names (domain.Settings); the defaults are the seed's numbers.
type Settings struct {
	StaleDays            int // an open record with no update for this many days is stale
	StuckIdentifiedDays  int // a record in identified for more than this many days is stuck
	FollowUpBusinessDays int // business days after acceptance to file or update a record
	OutcomeGraceDays     int // days after the target close date to close a record out

	// Cadence.
	CadenceWeeks    int // weeks shown in the cadence, the current one included
	BatchQuietWeeks int // "nothing for two months": weeks with no submission before a batch
	BatchWeekMin    int // "then 20 submissions in one week": submissions that make a week a batch
}

// DefaultSettings returns the seed's numbers: 30 days stale, 60 days stuck
// in identified, 5 business days to follow up, 7 days to capture an outcome,
// a 12-week (one quarter) cadence, and the batch pattern "nothing for two
// months (8 weeks), then 20 submissions in one week".
func DefaultSettings() Settings {
	return Settings{
		StaleDays:            30,
		StuckIdentifiedDays:  60,
		FollowUpBusinessDays: 5,
		OutcomeGraceDays:     7,
		CadenceWeeks:         12,
		BatchQuietWeeks:      8,
		BatchWeekMin:         20,
	}
}

// Record is an open ACE record as the scan sees it (state not in
// closed/rejected/withdrawn).
type Record struct {
	ID        string
	State     string // identified, submitted, validated, approved, launched
	CreatedAt time.Time
	UpdatedAt time.Time
	// EnteredStateAt is when the record entered its current state.
	EnteredStateAt time.Time
	// TargetCloseDate is a date (UTC midnight), nil if none. Only its UTC
	// calendar date is used.
	TargetCloseDate *time.Time
}

// Assignment is an accepted assignment as the scan sees it.
type Assignment struct {
	ID          string
	AcceptedAt  time.Time
	RecordCount int // records filed on it, in any state
	// LastActivityAt is the latest time a record on it was created or
	// updated, nil if none.
	LastActivityAt *time.Time
}

// RecordFlags returns the flags that hold for r at now, in Flags order,
// never nil (an empty slice when the record is clean). A record in a
// terminal state gets no flags: it is closed out. With UpdatedAt the latest of
// UpdatedAt, EnteredStateAt and CreatedAt, and D the target close date:
//
//	stale               now − UpdatedAt ≥ StaleDays × 24h
//	close_date_expired  now ≥ D + 1 day                    (D is over)
//	stuck_identified    state identified, now − EnteredStateAt > StuckIdentifiedDays × 24h
//	outcome_missing     now ≥ D + 1 day + OutcomeGraceDays days
//
// So outcome_missing always comes with close_date_expired: it is the same
// neglect, a grace period later.
func RecordFlags(r Record, now time.Time, s Settings) []string {
	out := []string{}
	if ace.IsTerminal(r.State) {
		return out
	}
	now = now.UTC()
	if !now.Before(lastTouched(r).Add(time.Duration(s.StaleDays) * day)) {
		out = append(out, FlagStale)
	}
	if r.TargetCloseDate != nil && !now.Before(CloseDateExpiresAt(*r.TargetCloseDate)) {
		out = append(out, FlagCloseDateExpired)
	}
	if r.State == ace.StateIdentified {
		since := r.EnteredStateAt
		if since.IsZero() {
			since = r.CreatedAt // created in identified and never moved
		}
		if now.Sub(since) > time.Duration(s.StuckIdentifiedDays)*day {
			out = append(out, FlagStuckIdentified)
		}
	}
	if r.TargetCloseDate != nil && !now.Before(OutcomeDeadline(*r.TargetCloseDate, s)) {
		out = append(out, FlagOutcomeMissing)
	}
	return out
}

// lastTouched is the latest sign of activity on r. A state move is an
// update, so a caller that keeps moves apart from edits still gets the right
// answer; and a record never updated was last touched when it was created.
func lastTouched(r Record) time.Time {
	t := r.UpdatedAt
	for _, u := range []time.Time{r.EnteredStateAt, r.CreatedAt} {
		if u.After(t) {
			t = u
		}
	}
	return t
}

// closeDate returns the UTC calendar date of d, at midnight.
func closeDate(d time.Time) time.Time {
	d = d.UTC()
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// CloseDateExpiresAt is the first instant at which the target close date d
// has passed: the midnight (UTC) that ends it. A record closing "on" a date
// is on time for the whole of that date.
func CloseDateExpiresAt(d time.Time) time.Time {
	return closeDate(d).Add(day)
}

// OutcomeDeadline is the first instant at which a record with target close
// date d that is still open is flagged outcome_missing: the end of the
// OutcomeGraceDays-th day after d. With the default 7, a record due on
// Monday 2 March may be closed out until Monday 9 March 23:59:59 UTC and is
// flagged from Tuesday 10 March 00:00 UTC.
func OutcomeDeadline(d time.Time, s Settings) time.Time {
	return closeDate(d).Add(time.Duration(1+s.OutcomeGraceDays) * day)
}

// AssignmentFlags returns the flags that hold for the accepted assignment a
// at now, never nil. follow_up_overdue holds when the follow-up deadline,
// AddBusinessDays(AcceptedAt, FollowUpBusinessDays), has been reached and
// the partner has shown no follow-up: no record filed on the assignment and
// no record activity on it since acceptance. The flag is a present
// condition: once a record is filed, even late, it no longer holds.
func AssignmentFlags(a Assignment, now time.Time, s Settings) []string {
	out := []string{}
	followedUp := a.RecordCount > 0 || (a.LastActivityAt != nil && !a.LastActivityAt.Before(a.AcceptedAt))
	if !followedUp && !now.Before(FollowUpDeadline(a, s)) {
		out = append(out, FlagFollowUpOverdue)
	}
	return out
}

// FollowUpDeadline is the first instant at which a without follow-up is
// overdue.
func FollowUpDeadline(a Assignment, s Settings) time.Time {
	return AddBusinessDays(a.AcceptedAt, s.FollowUpBusinessDays)
}

// AddBusinessDays returns t moved forward by n business days, Monday to
// Friday in UTC, keeping the time of day. Weekends are skipped; public
// holidays are not known and count as business days. A t on a weekend counts
// from the start of the following Monday, so that the partner gets n whole
// business days. So, with n = 5: Friday 10:00 → the next Friday 10:00;
// Monday 09:00 → the next Monday 09:00; Saturday or Sunday → the Monday
// after next, 00:00 (the end of the fifth business day). The result is in
// UTC; n ≤ 0 returns t unchanged.
func AddBusinessDays(t time.Time, n int) time.Time {
	t = t.UTC()
	if n <= 0 {
		return t
	}
	switch t.Weekday() {
	case time.Saturday:
		t = closeDate(t).Add(2 * day)
	case time.Sunday:
		t = closeDate(t).Add(day)
	}
	// Whole weeks first: five business days are seven calendar days from
	// any weekday.
	t = t.Add(time.Duration(n/5) * 7 * day)
	for n %= 5; n > 0; {
		t = t.Add(day)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}
