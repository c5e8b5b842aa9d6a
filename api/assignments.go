package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

func (s *Server) registerAssignmentRoutes(r *gin.RouterGroup) {
	partner := s.requireRole(domain.RolePartner)
	r.GET("/partner/assignments", partner, s.listAssignments)
	r.GET("/assignments/:id", partner, s.getAssignment)
	r.POST("/assignments/:id/accept", partner, s.acceptAssignment)
	r.POST("/assignments/:id/decline", partner, s.declineAssignment)
}

// profileView is what a partner sees of an intake before accepting it
// (intake.Profile): the axes, pools, spend and use case, but no names,
// emails or domain.
type profileView struct {
	Stage                   string          `json:"stage"`
	Region                  string          `json:"region"`
	Vertical                string          `json:"vertical"`
	ServiceProfile          string          `json:"service_profile"`
	EngagementType          string          `json:"engagement_type"`
	TeamSize                int             `json:"team_size"`
	RequestedFundingSources []string        `json:"requested_funding_sources"`
	ProjectedMonthlySpend   []spendLineView `json:"projected_monthly_spend"`
	ProjectedMonthlyUSD     int64           `json:"projected_monthly_usd"`
	UseCase                 string          `json:"use_case"`
	CompetingCloud          string          `json:"competing_cloud"`
}

// fullIntakeView adds, after acceptance, who the customer is and whom to
// contact (intake.Customer).
type fullIntakeView struct {
	profileView
	CompanyName      string       `json:"company_name"`
	Website          string       `json:"website"`
	CustomerDomain   string       `json:"customer_domain"`
	AWSAccountID     *string      `json:"aws_account_id"`
	LastRound        *roundView   `json:"last_round"`
	TechnicalContact *contactView `json:"technical_contact"`
	BusinessContact  *contactView `json:"business_contact"`
}

type spendLineView struct {
	Service string `json:"service"`
	USD     int64  `json:"usd"`
}

type roundView struct {
	Round        string `json:"round"`
	AmountUSD    int64  `json:"amount_usd"`
	LeadInvestor string `json:"lead_investor"`
	ClosedOn     string `json:"closed_on"`
}

type contactView struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type assignmentView struct {
	ID         string     `json:"id"`
	IntakeID   string     `json:"intake_id"`
	Status     string     `json:"status"`
	OfferedAt  time.Time  `json:"offered_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at"`
	EndedAt    *time.Time `json:"ended_at"`
	EndReason  *string    `json:"end_reason"`
	// Intake is a profileView, or a fullIntakeView for the partner holding
	// the accepted engagement.
	Intake any `json:"intake"`
}

// IntakeParts reads a stored intake into the two parts that
// intake.SeenByPartner chooses between (the console's pages read it the
// same way). The JSON columns hold what the
// founder sent, validated and normalised; one that does not decode shows
// as empty rather than failing a partner's whole list.
func IntakeParts(in postgres.Intake) (intake.Profile, intake.Customer) {
	p := intake.Profile{Stage: in.Stage, Region: in.Region, Vertical: in.Vertical, ServiceProfile: in.ServiceProfile,
		EngagementType: in.EngagementType, TeamSize: in.TeamSize, RequestedFundingSources: in.RequestedFundingSources,
		ProjectedMonthlyUSD: in.ProjectedMonthlyUSD, UseCase: in.UseCase, CompetingCloud: in.CompetingCloud}
	_ = json.Unmarshal(in.ProjectedMonthlySpend, &p.ProjectedMonthlySpend)
	c := intake.Customer{CompanyName: in.CompanyName, Website: in.Website, CustomerDomain: in.CustomerDomain,
		AWSAccountID: in.AWSAccountID, TechnicalContact: &intake.Contact{}, BusinessContact: &intake.Contact{}}
	if len(in.LastRound) > 0 { // SQL NULL: a pre-seed intake without a round
		c.LastRound = &intake.Round{}
		_ = json.Unmarshal(in.LastRound, c.LastRound)
	}
	_ = json.Unmarshal(in.TechnicalContact, c.TechnicalContact)
	_ = json.Unmarshal(in.BusinessContact, c.BusinessContact)
	return p, c
}

func toProfileView(p intake.Profile) profileView {
	return profileView{Stage: p.Stage, Region: p.Region, Vertical: p.Vertical, ServiceProfile: p.ServiceProfile,
		EngagementType: p.EngagementType, TeamSize: p.TeamSize, RequestedFundingSources: p.RequestedFundingSources,
		ProjectedMonthlySpend: mapSlice(p.ProjectedMonthlySpend, func(l intake.SpendLine) spendLineView {
			return spendLineView{Service: l.Service, USD: l.USD}
		}),
		ProjectedMonthlyUSD: p.ProjectedMonthlyUSD, UseCase: p.UseCase, CompetingCloud: p.CompetingCloud}
}

// toPartnerIntakeView renders what intake.SeenByPartner let the partner
// see: the profile alone, or the profile with the customer.
func toPartnerIntakeView(v intake.PartnerView) any {
	p := toProfileView(v.Profile)
	c := v.Customer
	if c == nil {
		return p
	}
	f := fullIntakeView{profileView: p, CompanyName: c.CompanyName, Website: c.Website, CustomerDomain: c.CustomerDomain,
		AWSAccountID: c.AWSAccountID, TechnicalContact: toContactView(c.TechnicalContact), BusinessContact: toContactView(c.BusinessContact)}
	if r := c.LastRound; r != nil {
		f.LastRound = &roundView{Round: r.Round, AmountUSD: r.AmountUSD, LeadInvestor: r.LeadInvestor, ClosedOn: r.ClosedOn}
	}
	return f
}

func toContactView(c *intake.Contact) *contactView {
	if c == nil {
		return nil
	}
	return &contactView{Name: c.Name, Email: c.Email}
}

// toAssignmentView shows the full intake only while the partner holds the
// accepted assignment, and the profile otherwise (intake.SeenByPartner).
func toAssignmentView(a postgres.Assignment, in postgres.Intake) assignmentView {
	p, c := IntakeParts(in)
	return assignmentView{ID: a.ID, IntakeID: a.IntakeID, Status: a.Status, OfferedAt: a.OfferedAt.UTC(), ExpiresAt: a.ExpiresAt.UTC(),
		AcceptedAt: utcPtr(a.AcceptedAt), EndedAt: utcPtr(a.EndedAt), EndReason: a.EndReason,
		Intake: toPartnerIntakeView(intake.SeenByPartner(p, c, a.Status))}
}

func (s *Server) assignmentResponse(c *gin.Context, a postgres.Assignment) {
	in, err := s.db.Intake(c.Request.Context(), a.IntakeID)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAssignmentView(a, in))
}

func (s *Server) listAssignments(c *gin.Context) {
	status := c.Query("status")
	if status != "" && !domain.OneOf(status, postgres.AssignmentStatuses) {
		respondError(c, &domain.Error{Code: domain.ECodeValidation, Message: "bad query parameters",
			Fields: []domain.FieldError{{Field: "status", Message: "must be one of " + strings.Join(postgres.AssignmentStatuses, ", ")}}})
		return
	}
	as, err := s.db.PartnerAssignments(c.Request.Context(), principal(c).PartnerID, status, 200)
	if err != nil {
		respondError(c, err)
		return
	}
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.IntakeID
	}
	intakes, err := s.db.IntakesByID(c.Request.Context(), ids)
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]assignmentView, 0, len(as))
	for _, a := range as {
		items = append(items, toAssignmentView(a, intakes[a.IntakeID]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *Server) getAssignment(c *gin.Context) {
	a, err := s.db.PartnerAssignment(c.Request.Context(), principal(c).PartnerID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	s.assignmentResponse(c, a)
}

func (s *Server) acceptAssignment(c *gin.Context) {
	a, err := s.db.AcceptAssignment(c.Request.Context(), principal(c).PartnerID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	s.assignmentResponse(c, a)
}

func (s *Server) declineAssignment(c *gin.Context) {
	if _, err := s.db.PartnerAssignment(c.Request.Context(), principal(c).PartnerID, c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	reason, err := bindReason(c)
	if err != nil {
		respondError(c, err)
		return
	}
	a, err := s.db.DeclineAssignment(c.Request.Context(), principal(c).PartnerID, c.Param("id"), reason)
	if err != nil {
		respondError(c, err)
		return
	}
	s.assignmentResponse(c, a)
}
