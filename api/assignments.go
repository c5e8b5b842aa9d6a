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

// profileView is what a partner sees of an intake before accepting it: the
// axes, pools, spend and use case, but no names, emails or domain.
type profileView struct {
	Stage                   string             `json:"stage"`
	Region                  string             `json:"region"`
	Vertical                string             `json:"vertical"`
	ServiceProfile          string             `json:"service_profile"`
	EngagementType          string             `json:"engagement_type"`
	TeamSize                int                `json:"team_size"`
	RequestedFundingSources []string           `json:"requested_funding_sources"`
	ProjectedMonthlySpend   []intake.SpendLine `json:"projected_monthly_spend"`
	ProjectedMonthlyUSD     int64              `json:"projected_monthly_usd"`
	UseCase                 string             `json:"use_case"`
	CompetingCloud          string             `json:"competing_cloud"`
}

// fullIntakeView adds, after acceptance, who the customer is and whom to
// contact.
type fullIntakeView struct {
	profileView
	CompanyName      string          `json:"company_name"`
	Website          string          `json:"website"`
	CustomerDomain   string          `json:"customer_domain"`
	AWSAccountID     *string         `json:"aws_account_id"`
	LastRound        *intake.Round   `json:"last_round"`
	TechnicalContact *intake.Contact `json:"technical_contact"`
	BusinessContact  *intake.Contact `json:"business_contact"`
}

type assignmentView struct {
	ID         string      `json:"id"`
	IntakeID   string      `json:"intake_id"`
	Status     string      `json:"status"`
	OfferedAt  time.Time   `json:"offered_at"`
	ExpiresAt  time.Time   `json:"expires_at"`
	AcceptedAt *time.Time  `json:"accepted_at"`
	EndedAt    *time.Time  `json:"ended_at"`
	EndReason  *string     `json:"end_reason"`
	Intake     interface{} `json:"intake"`
}

func profileOf(in postgres.Intake) profileView {
	p := profileView{Stage: in.Stage, Region: in.Region, Vertical: in.Vertical, ServiceProfile: in.ServiceProfile,
		EngagementType: in.EngagementType, TeamSize: in.TeamSize, RequestedFundingSources: in.RequestedFundingSources,
		ProjectedMonthlyUSD: in.ProjectedMonthlyUSD, UseCase: in.UseCase, CompetingCloud: in.CompetingCloud}
	_ = json.Unmarshal(in.ProjectedMonthlySpend, &p.ProjectedMonthlySpend)
	return p
}

// toAssignmentView shows the full intake only while the partner holds the
// accepted assignment (domain.PartnerSeesCustomer), and the profile
// otherwise.
func toAssignmentView(a postgres.Assignment, in postgres.Intake) assignmentView {
	v := assignmentView{ID: a.ID, IntakeID: a.IntakeID, Status: a.Status, OfferedAt: a.OfferedAt.UTC(), ExpiresAt: a.ExpiresAt.UTC(),
		AcceptedAt: utcPtr(a.AcceptedAt), EndedAt: utcPtr(a.EndedAt), EndReason: a.EndReason}
	if domain.PartnerSeesCustomer(a.Status) {
		f := fullIntakeView{profileView: profileOf(in), CompanyName: in.CompanyName, Website: in.Website,
			CustomerDomain: in.CustomerDomain, AWSAccountID: in.AWSAccountID}
		if len(in.LastRound) > 0 {
			f.LastRound = &intake.Round{}
			_ = json.Unmarshal(in.LastRound, f.LastRound)
		}
		f.TechnicalContact, f.BusinessContact = &intake.Contact{}, &intake.Contact{}
		_ = json.Unmarshal(in.TechnicalContact, f.TechnicalContact)
		_ = json.Unmarshal(in.BusinessContact, f.BusinessContact)
		v.Intake = f
	} else {
		v.Intake = profileOf(in)
	}
	return v
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
