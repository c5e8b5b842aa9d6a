package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/health"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// How the console says the value sets and numbers. The values stay those
// of the domain packages; these are their words on a page.

var (
	intakeStatusLabels = map[string]string{
		domain.IntakeReceived: "Received", domain.IntakeRouting: "Routing", domain.IntakePendingReview: "Pending review",
		domain.IntakeOffered: "Offered", domain.IntakeEngaged: "Engaged", domain.IntakeUnroutable: "Unroutable",
		domain.IntakeWithdrawn: "Withdrawn", domain.IntakeClosed: "Closed",
	}
	assignmentStatusLabels = map[string]string{
		domain.AssignmentOffered: "Offered", domain.AssignmentAccepted: "Accepted", domain.AssignmentDeclined: "Declined",
		domain.AssignmentExpired: "Expired", domain.AssignmentReleased: "Released", domain.AssignmentCancelled: "Cancelled",
		domain.AssignmentCompleted: "Completed",
	}
	consoleStateLabels = map[string]string{
		ace.StateIdentified: "Identified (draft)", ace.StateSubmitted: "Submitted", ace.StateValidated: "Validated",
		ace.StateApproved: "Approved", ace.StateLaunched: "Launched", ace.StateClosed: "Closed",
		ace.StateRejected: "Rejected", ace.StateWithdrawn: "Withdrawn",
	}
	// moveLabels are the buttons and headings of a record's moves.
	moveLabels = map[string]string{
		ace.StateSubmitted: "Submit to AWS", ace.StateValidated: "Mark validated", ace.StateApproved: "Record the approval",
		ace.StateLaunched: "Mark launched", ace.StateClosed: "Close the engagement", ace.StateRejected: "Record a rejection",
		ace.StateWithdrawn: "Withdraw the record",
	}
	axisLabels = map[string]string{
		"stage": "Stage", "region": "Region", "vertical": "Vertical", "service_profile": "Service profile",
		"engagement_type": "Engagement type",
	}
	tierLabels = map[string]string{"registered": "Registered", "select": "Select", "advanced": "Advanced", "premier": "Premier"}
	flagLabels = map[string]string{
		health.FlagStale:            "Stale: no update in 30 days",
		health.FlagCloseDateExpired: "Target close date has passed",
		health.FlagStuckIdentified:  "Stuck in identified for over 60 days",
		health.FlagFollowUpOverdue:  "Accepted, but no record or update within 5 business days",
		health.FlagOutcomeMissing:   "Outcome missing 7 days after the target close date",
	}
	filterLabels = map[string]string{
		routing.ReasonPaused: "paused", routing.ReasonTier: "tier below Advanced", routing.ReasonRegion: "does not serve the region",
		routing.ReasonCapacity: "at capacity", routing.ReasonExcluded: "excluded a value of this intake",
		routing.ReasonPreviouslyAssigned: "had this intake before",
	}
	statementStateLabels = map[string]string{"open": "Open", "invoiced": "Invoiced", "paid": "Paid"}
	userStatusLabels     = map[string]string{domain.UserInvited: "Invited", domain.UserActive: "Active", domain.UserDisabled: "Disabled"}
	// componentLabels name the parts of the health score.
	componentLabels = map[string]string{
		health.ComponentBatchPattern: "Batch pattern in submissions", health.ComponentOutcomeCapture: "Outcomes recorded on time",
	}
)

// axisValueLabel names a value of a routing axis as the founder's form
// does ("Series A", "European Union").
func axisValueLabel(axis, v string) string {
	switch axis {
	case "stage":
		return label(stageLabels, v)
	case "region":
		return label(regionLabels, v)
	case "vertical":
		return label(verticalLabels, v)
	case "service_profile":
		return label(profileLabels, v)
	case "engagement_type":
		return label(engagementLabels, v)
	}
	return v
}

// utcText writes a time in UTC to the minute: the text a page shows
// without JavaScript, and the hover text with it.
func utcText(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") + " UTC" }

// timeArg reads a time or a pointer to one for the templates; ok is false
// for nil.
func timeArg(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, true
	}
	return time.Time{}, false
}

// timeTag is a <time> element: UTC text and machine-readable datetime,
// which console.js rewrites into the viewer's time zone, keeping the UTC
// time as the hover text. A missing time is a dash.
func timeTag(v any) template.HTML {
	t, ok := timeArg(v)
	if !ok {
		return "—"
	}
	u := template.HTMLEscapeString(utcText(t))
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `" title="` + u + `" data-local>` + u + `</time>`)
}

// countdown says how long until t from now, in words a countdown script
// keeps current: "47 h 12 min left", or "expired".
func countdown(t, now time.Time) string {
	d := t.Sub(now)
	if d <= 0 {
		return "expired"
	}
	h := int(d / time.Hour)
	m := int((d % time.Hour) / time.Minute)
	switch {
	case h >= 48:
		return fmt.Sprintf("%d days %d h left", h/24, h%24)
	case h > 0:
		return fmt.Sprintf("%d h %d min left", h, m)
	case m > 0:
		return fmt.Sprintf("%d min left", m)
	}
	return "less than a minute left"
}

// cents writes an amount of cents as dollars: "1,250.00 USD".
func cents(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "−", -n
	}
	return sign + usd(n/100) + "." + fmt.Sprintf("%02d", n%100) + " USD"
}

// ratePercent writes a rate of 0..1 as a whole percentage, "—" for none.
func ratePercent(v any) string {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case *float64:
		if x == nil {
			return "—"
		}
		f = *x
	default:
		return "—"
	}
	return strconv.Itoa(int(math.Round(f*100))) + "%"
}

// decimal writes a number with up to two decimals, "—" for nil.
func decimal(v any) string {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case *float64:
		if x == nil {
			return "—"
		}
		f = *x
	case int:
		return strconv.Itoa(x)
	default:
		return "—"
	}
	out := strings.TrimRight(strings.TrimRight(strconv.FormatFloat(f, 'f', 2, 64), "0"), ".")
	if out == "-0" {
		return "0"
	}
	return out
}

// duration writes seconds as a rounded human duration: "42 s", "3.5 min",
// "18 h".
func duration(v *float64) string {
	if v == nil {
		return "—"
	}
	s := *v
	switch {
	case s == 0:
		return "0 s"
	case s < 1:
		return decimal(math.Round(s*1000)) + " ms"
	case s < 90:
		return decimal(math.Round(s)) + " s"
	case s < 90*60:
		return decimal(math.Round(s/6)/10) + " min"
	case s < 48*3600:
		return decimal(math.Round(s/360)/10) + " h"
	}
	return decimal(math.Round(s/8640)/10) + " days"
}

// deref reads an optional string, "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
