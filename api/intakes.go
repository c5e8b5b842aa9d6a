package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

func (s *Server) registerIntakeRoutes(r *gin.RouterGroup) {
	r.POST("/intakes", s.limiter.limitByIP("intake"), s.submitIntake)
	r.GET("/intakes/:id", s.founderOrAdmin(true), s.getIntake)
	r.POST("/intakes/:id/withdraw", s.founderOrAdmin(false), s.withdrawIntake)
	r.POST("/intakes/:id/reroute", s.founderOrAdmin(false), s.founderReroute)
}

type submitResponse struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	AccessToken string `json:"access_token"`
}

// submitIntake takes the 3-minute form. The body is read whole (under the
// 1 MiB limit) so that an Idempotency-Key replay can compare it.
func (s *Server) submitIntake(c *gin.Context) {
	raw, err := readBody(c)
	if err != nil {
		respondError(c, err)
		return
	}
	key := c.GetHeader("Idempotency-Key")
	// The key is stored: it obeys the text rule like any field. A header may
	// carry bytes that are not UTF-8, which Postgres would refuse.
	var pr domain.FieldCheck
	if len(key) > 255 {
		pr.Add("Idempotency-Key", "must be at most 255 characters")
	} else {
		domain.CheckText(&pr, "Idempotency-Key", key, 0, 255, false)
	}
	if err := pr.Err(domain.ECodeValidation, "the Idempotency-Key header is invalid"); err != nil {
		respondError(c, err)
		return
	}
	b, err := intake.Decode(raw)
	if err != nil {
		respondError(c, err)
		return
	}
	if err := intake.Validate(b, s.db.Now()); err != nil {
		respondError(c, err)
		return
	}
	b = b.Normalized()
	dom, err := intake.NormalizeDomain(b.Website)
	if err != nil {
		respondError(c, err)
		return
	}
	res, err := s.db.SubmitIntake(c.Request.Context(), b, dom, key, raw)
	if err != nil {
		respondError(c, err)
		return
	}
	if res.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	c.JSON(http.StatusCreated, submitResponse{ID: res.IntakeID, Status: res.Status, AccessToken: res.AccessToken})
}

// intakeView is what GET /v1/intakes/{id} shows a founder (and an admin).
type intakeView struct {
	ID                      string             `json:"id"`
	Status                  string             `json:"status"`
	CompanyName             string             `json:"company_name"`
	CustomerDomain          string             `json:"customer_domain"`
	Stage                   string             `json:"stage"`
	Region                  string             `json:"region"`
	Vertical                string             `json:"vertical"`
	ServiceProfile          string             `json:"service_profile"`
	EngagementType          string             `json:"engagement_type"`
	RequestedFundingSources []string           `json:"requested_funding_sources"`
	Partner                 *intakePartner     `json:"partner"`
	Records                 []intakeRecordView `json:"records"`
	CreditsApprovedUSD      int64              `json:"credits_approved_usd"`
	WhyThisPartner          *whyView           `json:"why_this_partner"`
	CreditPlan              creditPlanView     `json:"credit_plan"`
	CreatedAt               time.Time          `json:"created_at"`
	UpdatedAt               time.Time          `json:"updated_at"`
}

type intakePartner struct {
	Name string `json:"name"`
}

type intakeRecordView struct {
	ID             string  `json:"id"`
	FundingSource  string  `json:"funding_source"`
	State          string  `json:"state"`
	RequestedUSD   int64   `json:"requested_usd"`
	ApprovedUSD    *int64  `json:"approved_usd"`
	ApprovedSource *string `json:"approved_funding_source"`
}

// toIntakeView renders an intake with who works on it and what was filed.
// The credits figure is the ACE rule's (ace.CreditsApproved), so that the
// founder is shown the sum the stacked ceiling holds to.
func toIntakeView(in postgres.Intake, e postgres.Engagement) intakeView {
	v := intakeView{ID: in.ID, Status: in.Status, CompanyName: in.CompanyName, CustomerDomain: in.CustomerDomain,
		Stage: in.Stage, Region: in.Region, Vertical: in.Vertical, ServiceProfile: in.ServiceProfile,
		EngagementType: in.EngagementType, RequestedFundingSources: in.RequestedFundingSources,
		Records: make([]intakeRecordView, 0, len(e.Records)), CreatedAt: in.CreatedAt.UTC(), UpdatedAt: in.UpdatedAt.UTC()}
	if e.PartnerName != "" {
		v.Partner = &intakePartner{Name: e.PartnerName}
	}
	awards := make([]ace.CeilingRecord, 0, len(e.Records))
	for _, r := range e.Records {
		v.Records = append(v.Records, intakeRecordView{ID: r.ID, FundingSource: r.FundingSource, State: r.State,
			RequestedUSD: r.RequestedUSD, ApprovedUSD: r.ApprovedUSD, ApprovedSource: r.ApprovedFundingSource})
		award := ace.CeilingRecord{State: r.State, RequestedUSD: r.RequestedUSD}
		if r.ApprovedUSD != nil {
			award.ApprovedUSD = *r.ApprovedUSD
		}
		awards = append(awards, award)
	}
	v.CreditsApprovedUSD = ace.CreditsApproved(awards)
	return v
}

func (s *Server) getIntake(c *gin.Context) {
	ctx := c.Request.Context()
	in, err := s.db.Intake(ctx, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	e, err := s.db.IntakeEngagement(ctx, in.ID)
	if err != nil {
		respondError(c, err)
		return
	}
	v := toIntakeView(in, e)
	if e.PartnerName != "" {
		if v.WhyThisPartner, err = s.intakeWhy(ctx, in.ID); err != nil {
			respondError(c, err)
			return
		}
	}
	if v.CreditPlan, err = intakeCreditPlan(in); err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) withdrawIntake(c *gin.Context) {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := bindOptionalJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	var pr domain.FieldCheck
	domain.CheckOptionalReason(&pr, "reason", req.Reason)
	if err := pr.Err(domain.ECodeValidation, "invalid fields"); err != nil {
		respondError(c, err)
		return
	}
	in, err := s.db.WithdrawIntake(c.Request.Context(), c.Param("id"), req.Reason)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": in.ID, "status": in.Status})
}

// reasonBody is a body that must carry a non-empty reason.
type reasonBody struct {
	Reason string `json:"reason"`
}

// bindReason reads a reasonBody and holds its reason to domain.CheckReason.
func bindReason(c *gin.Context) (string, error) {
	var req reasonBody
	if err := bindJSON(c, &req); err != nil {
		return "", err
	}
	var pr domain.FieldCheck
	domain.CheckReason(&pr, "reason", req.Reason)
	return req.Reason, pr.Err(domain.ECodeValidation, "the reason is missing or invalid")
}

func (s *Server) founderReroute(c *gin.Context) {
	reason, err := bindReason(c)
	if err != nil {
		respondError(c, err)
		return
	}
	in, err := s.db.ReleaseAssignment(c.Request.Context(), principal(c), c.Param("id"), reason)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": in.ID, "status": in.Status})
}
