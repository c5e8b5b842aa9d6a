package web

import (
	"cmp"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// statementsPage lists commission statements with their entries: a
// partner's own, or, for admins, everyone's, with filters, the
// reconciliation of the ledger with the statements, and the way to settle.
type statementsPage struct {
	shell
	List       listView
	Statements []statementRow
	Admin      bool
	// The admin's filters, as in the address.
	Partner, State, Month string
	Partners              []option
	States                []option
	Recon                 postgres.Reconciliation
}

// statementRow is a statement with its partner's name and its next step.
type statementRow struct {
	postgres.Statement
	PartnerName string
	// Next is the state an admin may settle it to next ("" when paid).
	Next string
}

var statementSorts = map[string]func(a, b statementRow) int{
	"month":   byString(func(s statementRow) string { return s.Month }),
	"partner": byString(func(s statementRow) string { return s.PartnerName }),
	"state":   func(a, b statementRow) int { return cmp.Compare(stateOrder[a.State], stateOrder[b.State]) },
	"total":   byInt(func(s statementRow) int64 { return s.TotalCents }),
}

var stateOrder = map[string]int{"open": 0, "invoiced": 1, "paid": 2}

// showStatements is GET /console/statements: for partner staff their
// partner's statements; for admins every partner's, filtered by
// ?partner_id=, ?state= and ?month=.
func (p *Pages) showStatements(c *gin.Context) {
	v := viewerOf(c)
	ctx := c.Request.Context()
	pg := statementsPage{shell: p.newShell(c, "Statements"), Admin: v.IsAdmin()}
	f := postgres.StatementFilter{PartnerID: v.partnerID()}
	if pg.Admin {
		pg.Partner, pg.State, pg.Month = c.Query("partner_id"), c.Query("state"), c.Query("month")
		if !domain.OneOf(pg.State, []string{"open", "invoiced", "paid"}) {
			pg.State = ""
		}
		f = postgres.StatementFilter{PartnerID: pg.Partner, State: pg.State, Month: pg.Month}
		for _, s := range []string{"open", "invoiced", "paid"} {
			pg.States = append(pg.States, option{Value: s, Label: label(statementStateLabels, s)})
		}
		var err error
		if pg.Partners, err = p.partnerOptions(c); err != nil {
			p.fail(c, err)
			return
		}
		if pg.Recon, err = p.db.Reconcile(ctx); err != nil {
			p.fail(c, err)
			return
		}
	}
	sts, err := p.db.ListStatements(ctx, f)
	if domain.ErrorCode(err) == domain.ECodeValidation {
		// A month that is not YYYY-MM matches nothing.
		sts, err = []postgres.Statement{}, nil
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	ids := make([]string, len(sts))
	for i, s := range sts {
		ids[i] = s.PartnerID
	}
	names, err := p.db.PartnerNames(ctx, ids)
	if err != nil {
		p.fail(c, err)
		return
	}
	rows := make([]statementRow, len(sts))
	for i, s := range sts {
		rows[i] = statementRow{Statement: s, PartnerName: names[s.PartnerID], Next: nextSettlement(s.State)}
	}
	pg.List = newList(c, []string{"month", "partner", "state", "total"}, "month", true, 10)
	pg.Statements = sortPage(&pg.List, rows, statementSorts)
	p.render(c, http.StatusOK, "c/statements", pg)
}

// nextSettlement is the state a statement is settled to next.
func nextSettlement(state string) string {
	switch state {
	case "open":
		return "invoiced"
	case "invoiced":
		return "paid"
	}
	return ""
}

// partnerOptions are every partner, by name, for a filter or a choice.
func (p *Pages) partnerOptions(c *gin.Context) ([]option, error) {
	var out []option
	for page := 0; ; page++ {
		rows, total, err := p.db.ConsolePartners(c.Request.Context(), postgres.PartnerQuery{},
			postgres.ListOrder{Sort: "name", Offset: page * 200, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, option{Value: r.Partner.ID, Label: r.Partner.Name})
		}
		if len(out) >= total || len(rows) == 0 || page >= 49 {
			return out, nil
		}
	}
}
