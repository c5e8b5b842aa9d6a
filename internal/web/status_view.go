package web

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/creditplan"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// statusView is the live part of the status page: everything that changes
// as the intake moves, which the page refreshes while routing runs.
type statusView struct {
	ID     string
	Status string
	// Title and Text say the status in plain words.
	Title, Text string
	Steps       []step
	// Polling is true while the status is expected to change soon.
	Polling bool
	Partner string
	Why     *whyView
	Records []recordView
	// Credits approved against the stacked ceiling.
	ApprovedUSD, CeilingUSD int64
	Approved, Ceiling       string
	Remaining               string
	CanReroute, CanWithdraw bool
}

// step is one step of the timeline.
type step struct {
	Label string
	// State is "done", "current" or "todo".
	State string
}

type recordView struct {
	Pool, State, Requested, Approved string
}

// whyView is "why this partner", in the seed's words.
type whyView struct {
	Partner string
	// Curated is true when CloudRoute's curator picked the partner.
	Curated bool
	// Scored is false when the decision did not score the partner: there
	// are then no figures to show.
	Scored bool
	// Headline: "86% trailing-12-month close rate on submissions like
	// yours", Profile: "Series-A, US-East, B2B SaaS, AI-heavy, Build".
	Headline, Profile string
	Lines             []whyLine
	// Band: "above the 70% threshold CloudRoute routes to first".
	Above     bool
	Threshold string
	Record    string // "36 approved of 40 decided outcomes in the window, on every profile"
	Median    string // "a median of 14 days from submission to approval", or ""
	DecidedOn string // "2 March 2026"
}

type whyLine struct {
	Rate, Phrase, Outcomes string
}

// planView is the credit plan, in words.
type planView struct {
	Notice      string
	Pools       []planPool
	NotExpected []planUnfit
	Total       string
	Capped      bool
	Advice      []string
}

type planPool struct {
	Name, Range, Days, Reason string
	Requested                 bool
}

type planUnfit struct{ Name, Reason string }

// statusWords says each intake status in plain words. %s is the partner's
// name where one is known.
var statusWords = map[string][2]string{
	postgres.IntakeReceived: {"Received", "We have your intake. Choosing your partner starts in a moment."},
	postgres.IntakeRouting: {"Choosing your partner",
		"We are matching your profile against each partner's ACE track record. This usually takes seconds."},
	postgres.IntakePendingReview: {"With our curator",
		"A CloudRoute curator is checking the partner proposed for you before it is offered: within 24 hours, 18 hours typically."},
	postgres.IntakeOffered: {"Offered to a partner",
		"One AWS partner has been offered your intake. We show its name here once it accepts; if it does not, we offer your intake to the next best partner."},
	postgres.IntakeEngaged: {"Your partner has accepted",
		"Expect it to contact your business contact to book a 30-minute discovery call. Bring the preparation listed in your credit plan below."},
	postgres.IntakeUnroutable: {"Waiting for a partner",
		"No partner fits your profile right now. Your intake stays in line and is offered as soon as one does: you need not do anything."},
	postgres.IntakeWithdrawn: {"Withdrawn", "You withdrew this intake; nothing more will happen with it. You may send a new intake at any time."},
	postgres.IntakeClosed:    {"Closed", "Your partner has closed the engagement."},
}

// pollingStatuses are the statuses that change without the founder: the
// page refreshes itself while the intake is in one.
var pollingStatuses = map[string]bool{
	postgres.IntakeReceived: true, postgres.IntakeRouting: true, postgres.IntakePendingReview: true,
	postgres.IntakeOffered: true, postgres.IntakeUnroutable: true,
}

// timeline lists the steps for status: the usual path, with the curator's
// review only when the intake is in it, and a withdrawal as its own end.
func timeline(status string) []step {
	labels := []string{"Received", "Choosing a partner", "Offered to a partner", "Partner engaged", "Closed"}
	at := map[string]int{
		postgres.IntakeReceived: 0, postgres.IntakeRouting: 1, postgres.IntakeUnroutable: 1,
		postgres.IntakeOffered: 2, postgres.IntakeEngaged: 3, postgres.IntakeClosed: 4,
	}
	current, ok := at[status]
	switch status {
	case postgres.IntakePendingReview:
		labels = []string{"Received", "Choosing a partner", "Curator review", "Offered to a partner", "Partner engaged", "Closed"}
		current, ok = 2, true
	case postgres.IntakeWithdrawn:
		labels = []string{"Received", "Withdrawn"}
		current, ok = 1, true
	}
	if !ok {
		current = 0
	}
	steps := make([]step, len(labels))
	for i, l := range labels {
		switch {
		case i < current:
			steps[i] = step{Label: l, State: "done"}
		case i == current:
			steps[i] = step{Label: l, State: "current"}
		default:
			steps[i] = step{Label: l, State: "todo"}
		}
	}
	if status == postgres.IntakeUnroutable {
		steps[current].Label = "Choosing a partner: waiting for one who fits"
	}
	return steps
}

// loadStatus reads the live part of an intake's status page.
func (p *Pages) loadStatus(ctx context.Context, in postgres.Intake) (statusView, error) {
	words, ok := statusWords[in.Status]
	if !ok {
		words = [2]string{in.Status, ""}
	}
	v := statusView{ID: in.ID, Status: in.Status, Title: words[0], Text: words[1], Steps: timeline(in.Status),
		Polling: pollingStatuses[in.Status], CeilingUSD: ace.StackCeilingUSD, Ceiling: usd(ace.StackCeilingUSD),
		CanReroute:  in.Status == postgres.IntakeEngaged,
		CanWithdraw: in.Status != postgres.IntakeWithdrawn && in.Status != postgres.IntakeClosed}
	eng, err := p.db.IntakeEngagement(ctx, in.ID)
	if err != nil {
		return v, err
	}
	v.Partner = eng.PartnerName
	if v.Partner != "" && in.Status == postgres.IntakeEngaged {
		v.Title = v.Partner + " has accepted"
	}
	awards := make([]ace.CeilingRecord, 0, len(eng.Records))
	for _, r := range eng.Records {
		rv := recordView{Pool: label(poolLabels, r.FundingSource), State: label(recordStateLabels, r.State), Requested: "no amount", Approved: "—"}
		if _, _, has := ace.AmountRange(r.FundingSource); has {
			rv.Requested = usd(r.RequestedUSD) + " USD"
		}
		award := ace.CeilingRecord{State: r.State, RequestedUSD: r.RequestedUSD}
		if r.ApprovedUSD != nil {
			award.ApprovedUSD = *r.ApprovedUSD
		}
		awards = append(awards, award)
		if r.ApprovedUSD != nil {
			rv.Approved = usd(*r.ApprovedUSD) + " USD"
			if r.ApprovedFundingSource != nil && *r.ApprovedFundingSource != r.FundingSource {
				rv.Approved += " as " + label(poolLabels, *r.ApprovedFundingSource)
			}
		}
		v.Records = append(v.Records, rv)
	}
	// The same total as the API's credits_approved_usd (one rule).
	v.ApprovedUSD = ace.CreditsApproved(awards)
	v.Approved = usd(v.ApprovedUSD)
	v.Remaining = usd(max(ace.StackCeilingUSD-v.ApprovedUSD, 0))
	if v.Partner != "" {
		o, ok, err := p.db.EngagedOffer(ctx, in.ID)
		if err != nil {
			return v, err
		}
		if ok {
			v.Why = newWhyView(o)
		}
	}
	return v, nil
}

// newWhyView puts the partner's own figures in the seed's words.
func newWhyView(o postgres.EngagedOffer) *whyView {
	v := &whyView{Partner: o.PartnerName, Curated: o.AssignedByAdmin}
	if !o.DecidedAt.IsZero() {
		v.DecidedOn = o.DecidedAt.Format("2 January 2006")
	}
	w, ok := routing.WhyChosen(o.Decision, o.PartnerID)
	if !ok {
		return v
	}
	window := windowPhrase(o.WindowDays)
	v.Scored = true
	v.Headline = percent(w.CloseRate) + " " + window + " close rate on submissions like yours"
	var profile []string
	for _, a := range w.Axes {
		phrase := axisPhrase(a.Axis, a.Value)
		profile = append(profile, phrase)
		v.Lines = append(v.Lines, whyLine{Rate: percent(a.Rate), Phrase: window + " close rate on " + phrase + " submissions",
			Outcomes: outcomes(a.Wins, a.Decided)})
	}
	v.Profile = strings.Join(profile, ", ")
	v.Above, v.Threshold = w.AboveThreshold, percent(w.Threshold)
	v.Record = outcomes(w.Wins, w.Decided) + " in the window, on every kind of submission"
	if w.MedianDaysToApproval != nil {
		v.Median = "a median of " + days(*w.MedianDaysToApproval) + " from submission to approval"
	}
	return v
}

// days says a number of days to one decimal: "14 days", "9.5 days", "1 day".
func days(d float64) string {
	s := strconv.FormatFloat(math.Round(d*10)/10, 'f', -1, 64)
	if s == "1" {
		return "1 day"
	}
	return s + " days"
}

// outcomes says "18 approved of 20 decided outcomes".
func outcomes(wins, decided int) string {
	if decided == 1 {
		return strconv.Itoa(wins) + " approved of 1 decided outcome"
	}
	return strconv.Itoa(wins) + " approved of " + strconv.Itoa(decided) + " decided outcomes"
}

// newPlanView says the credit plan in words.
func newPlanView(plan creditplan.Plan) planView {
	v := planView{Notice: plan.Notice, Capped: plan.Total.Capped}
	for _, x := range plan.Pools {
		pp := planPool{Name: label(poolLabels, x.Source), Range: poolRange(x.Source), Reason: sentence(x.Reason), Requested: x.Requested}
		if x.DaysKnown {
			pp.Days = "typically " + strconv.Itoa(x.MinDays) + "–" + strconv.Itoa(x.MaxDays) + " days from the partner's submission to credits"
		} else {
			pp.Days = "no typical time known"
		}
		if x.InsteadOf != "" {
			pp.Range += ", instead of " + label(poolLabels, x.InsteadOf)
		}
		v.Pools = append(v.Pools, pp)
	}
	for _, u := range plan.NotExpected {
		v.NotExpected = append(v.NotExpected, planUnfit{Name: label(poolLabels, u.Source), Reason: sentence(u.Reason)})
	}
	t := plan.Total
	switch {
	case t.Capped:
		v.Total = "Together these pools reach " + usd(t.SumOfMaximaUSD) + " USD, but the stacked ceiling caps what one company can be awarded at " +
			usd(t.CeilingUSD) + " USD: expect at most " + usd(t.MaxUSD) + " USD."
	default:
		v.Total = "Together at most " + usd(t.MaxUSD) + " USD, within the " + usd(t.CeilingUSD) +
			" USD stacked ceiling on what one company can be awarded across all its credits."
	}
	for _, a := range plan.Advice {
		v.Advice = append(v.Advice, a.Text)
	}
	return v
}

// sentence capitalises a reason and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// intakePlan is the credit plan of a stored intake.
func intakePlan(in postgres.Intake) (planView, error) {
	prof, err := in.CreditProfile()
	if err != nil {
		return planView{}, err
	}
	return newPlanView(creditplan.For(prof)), nil
}

func isUnavailable(err error) bool { return domain.ErrorCode(err) == domain.ECodeUnavailable }
