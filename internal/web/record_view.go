package web

import (
	"fmt"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

// recordPage is the ACE record editor: what the record still needs before
// submission, a form of the fields its state lets the partner edit, the
// moves legal from here, the plausibility warning and the full history.
type recordPage struct {
	shell
	Record postgres.ACERecord
	// Company is the customer's name, for a partner that still sees it.
	Company string
	// Seen is false once the partner no longer holds the engagement: the
	// record is then read-only and without the customer's details.
	Seen   bool
	Fields ace.RecordFields
	// Editable holds the JSON names of the fields the state lets the
	// partner change (ace.EditableFields through ace.SeenByPartner).
	Editable       map[string]bool
	AmountEditable bool
	Form           *consoleForm
	SpendLines     []int
	BudgetLines    []int
	// Missing lists what the pool needs before submission
	// (ace.MissingForSubmission), while the record is identified.
	Missing []summaryLine
	Warning string
	Moves   []moveView
	History []postgres.RecordMove
	Problem string
	// Options of the form's selects.
	Stages, Verticals, Clouds, Engagements []option
}

// moveView is a move legal from the record's state.
type moveView struct {
	To, Label string
	// Direct moves need no input: a button on the record's page. The
	// others (approval, rejection, withdrawal) have a page of their own.
	Direct bool
}

// Label is the field's label, for the template.
func (pg recordPage) Label(name string) string { return recordLabel(name) }

// Can reports whether the field may be edited.
func (pg recordPage) Can(name string) bool { return pg.Editable[name] }

// recordLabels names the editor's controls, for the messages.
var recordLabels = func() map[string]string {
	m := map[string]string{
		"company_name": "Company name", "website": "Website", "use_case": "Use case",
		"projected_monthly_spend": "Projected monthly spend", "engagement_type": "Engagement type",
		"estimated_annual_spend_usd": "Estimated annual AWS spend after the credits", "partner_role": "Partner role",
		"aws_account_id": "Customer AWS account ID", "new_account_placeholder": "The new-account box",
		"funding_stage": "Funding stage", "engagement_start_date": "Engagement start date", "go_live_date": "Go-live date",
		"vertical": "Vertical", "competing_cloud": "Competing cloud",
		"technical_contact": "Technical contact", "technical_contact.name": "Technical contact's name",
		"technical_contact.email": "Technical contact's email", "business_contact": "Business contact",
		"business_contact.name": "Business contact's name", "business_contact.email": "Business contact's email",
		"last_round": "Last round", "last_round.round": "Last round's stage", "last_round.amount_usd": "Last round's amount",
		"last_round.lead_investor": "Lead investor", "last_round.closed_on": "Last round's closing date",
		"poc_plan": "POC plan", "poc_plan.model_choice": "POC model choice", "poc_plan.evaluation_method": "POC evaluation method",
		"poc_plan.budget_items": "POC budget", "target_close_date": "Target close date",
		form.RequestedUSD: "Requested amount",
		"reason":          "The reason", "approved_usd": "Approved amount", "approved_funding_source": "Pool awarded",
	}
	for i := 0; i < 60; i++ {
		m[form.SpendPath(i, "service")] = fmt.Sprintf("Spend line %d: service", i+1)
		m[form.SpendPath(i, "usd")] = fmt.Sprintf("Spend line %d: monthly USD", i+1)
		m[form.BudgetPath(i, "description")] = fmt.Sprintf("Budget line %d: description", i+1)
		m[form.BudgetPath(i, "usd")] = fmt.Sprintf("Budget line %d: USD", i+1)
	}
	return m
}()

func recordLabel(name string) string { return label(recordLabels, name) }

// recordControl is the control a rule's field path lands on: a list as a
// whole lands on its first line.
func recordControl(field string) string {
	switch field {
	case "projected_monthly_spend":
		return form.SpendPath(0, "service")
	case "poc_plan.budget_items", "poc_plan":
		return form.BudgetPath(0, "description")
	case "technical_contact", "business_contact":
		return field + ".name"
	case "last_round":
		return "last_round.round"
	}
	return field
}

// loadRecord reads one of the viewer's partner's records; another
// partner's is not_found.
func (p *Pages) loadRecord(c *gin.Context) (postgres.ACERecord, error) {
	return p.db.ACERecord(c.Request.Context(), viewerOf(c).partnerID(), c.Param("id"))
}

// recordPage builds the editor of r; vals, when set, are a post shown
// again (with its errors added by the caller).
func (p *Pages) recordPage(c *gin.Context, r postgres.ACERecord, vals url.Values) (recordPage, error) {
	ctx := c.Request.Context()
	v := viewerOf(c)
	fields, editable := ace.SeenByPartner(r.RecordFields(), r.State, r.AssignmentStatus)
	pg := recordPage{shell: p.newShell(c, "ACE record"), Record: r, Fields: fields, Seen: domain.PartnerSeesCustomer(r.AssignmentStatus),
		Editable: map[string]bool{}, Stages: stageOptions, Verticals: verticalOptions, Clouds: cloudOptions, Engagements: engagementOptions}
	for _, f := range editable {
		pg.Editable[f] = true
	}
	pg.AmountEditable = pg.Seen && r.State == ace.StateIdentified
	if pg.Seen {
		in, err := p.db.Intake(ctx, r.IntakeID)
		if err != nil {
			return pg, err
		}
		pg.Company = in.CompanyName
		pg.Title = label(poolLabels, r.FundingSource) + " record · " + in.CompanyName
	}
	spend, budget := 0, 0
	if vals == nil {
		vals, spend, budget = form.RecordValues(fields, r.RequestedUSD)
	} else {
		spend = form.LinesShown(vals, form.SpendPath, "service", "usd")
		budget = form.LinesShown(vals, form.BudgetPath, "description", "usd")
	}
	pg.Form = newForm(vals, recordLabels)
	pg.SpendLines = lines(spend)
	pg.BudgetLines = lines(budget)
	if r.State == ace.StateIdentified {
		if err := ace.MissingForSubmission(r.FundingSource, r.RequestedUSD, fields); err != nil {
			f := newForm(nil, recordLabels)
			f.addErrors(err, recordControl, "")
			pg.Missing = f.Summary()
		}
	}
	pg.Warning = ace.PlausibilityWarning(r.RequestedUSD, ace.MonthlySpendUSD(fields))
	pt, err := p.db.Partner(ctx, v.partnerID())
	if err != nil {
		return pg, err
	}
	pg.Moves = legalMoves(r, fields, pt.Tier)
	pg.History, err = p.db.RecordHistory(ctx, r.ID)
	return pg, err
}

// legalMoves are the moves the record may make now: those the state
// machine allows from its state (ace.NextStates) that the transition rules
// would not refuse for the move itself (the engagement, the tier). A move
// that would only need more input (a reason, an amount, missing fields) is
// offered: its page or its refusal says what is needed.
func legalMoves(r postgres.ACERecord, fields ace.RecordFields, tier string) []moveView {
	rec := ace.TransitionRecord{State: r.State, FundingSource: r.FundingSource, RequestedUSD: r.RequestedUSD, Fields: fields,
		Tier: tier, AssignmentStatus: r.AssignmentStatus}
	var out []moveView
	for _, to := range ace.NextStates(r.State) {
		switch domain.ErrorCode(ace.CheckTransitionRequest(rec, ace.TransitionRequest{To: to})) {
		case domain.ECodeInvalidTransition, domain.ECodeDuplicateFiling, domain.ECodeTierNotPermitted:
			continue
		}
		out = append(out, moveView{To: to, Label: label(moveLabels, to), Direct: !needsMovePage(to)})
	}
	return out
}

// needsMovePage reports whether a move into to asks for input on a page of its
// own: an award, or a reason (a move that ends the record).
func needsMovePage(to string) bool {
	return to == ace.StateApproved || ace.RequiresReason(to)
}

// lines numbers n lines from 0.
func lines(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// recordHref is a record's page.
func recordHref(id string) string { return "/console/records/" + id }
