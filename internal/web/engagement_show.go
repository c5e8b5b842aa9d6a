package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// engagementPage is one engagement: after acceptance, the customer's
// contacts and full intake, its records, and the form that files a new one.
type engagementPage struct {
	shell
	Offer   offerView
	Records []postgres.ACERecord
	// Pools are the pools the partner's tier may file, with their ranges.
	Pools   []option
	Form    *consoleForm
	Problem string
}

var newRecordLabels = map[string]string{"funding_source": "Funding pool", "requested_usd": "Requested amount"}

// showEngagement is GET /console/engagements/{id}. Another partner's
// engagement is the not-found page; an offer not yet answered goes to its
// offer page.
func (p *Pages) showEngagement(c *gin.Context) {
	pg, err := p.engagementPage(c, nil)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	if pg.Offer.Status == domain.AssignmentOffered {
		c.Redirect(http.StatusSeeOther, "/console/offers/"+pg.Offer.ID)
		return
	}
	p.render(c, http.StatusOK, "c/engagement", pg)
}

func (p *Pages) engagementPage(c *gin.Context, vals url.Values) (engagementPage, error) {
	v := viewerOf(c)
	ctx := c.Request.Context()
	o, err := p.partnerOffer(ctx, v.partnerID(), c.Param("id"))
	if err != nil {
		return engagementPage{}, err
	}
	pg := engagementPage{shell: p.newShell(c, "Engagement"), Offer: o, Form: newForm(vals, newRecordLabels)}
	if o.Intake.Customer != nil {
		pg.Title = o.Intake.Customer.CompanyName
	}
	if pg.Records, err = p.db.AssignmentRecords(ctx, v.partnerID(), o.ID); err != nil {
		return pg, err
	}
	pt, err := p.db.Partner(ctx, v.partnerID())
	if err != nil {
		return pg, err
	}
	for _, pool := range domain.FundingSources {
		if ace.TierMayFile(pt.Tier, pool) {
			pg.Pools = append(pg.Pools, option{Value: pool, Label: label(poolLabels, pool) + " (" + poolRange(pool) + ")"})
		}
	}
	return pg, nil
}
