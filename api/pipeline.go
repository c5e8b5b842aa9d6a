package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

func (s *Server) registerPipelineRoutes(r *gin.RouterGroup) {
	partner := s.requireRole(domain.RolePartner)
	admin := s.requireRole(domain.RoleAdmin)
	r.GET("/partner/pipeline-health", partner, s.partnerHealth)
	r.GET("/admin/partners/:id/pipeline-health", admin, s.adminPartnerHealth)
	r.GET("/partner/snapshots", partner, s.partnerSnapshots)
	r.GET("/admin/snapshots", admin, s.adminSnapshots)
	r.GET("/admin/metrics", admin, s.adminMetrics)
	r.GET("/ace-records/:id/pdm-brief", partner, s.pdmBrief)
}

func (s *Server) partnerHealth(c *gin.Context) {
	h, err := s.db.PartnerPipelineHealth(c.Request.Context(), principal(c).PartnerID)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPipelineHealthView(h))
}

func (s *Server) adminPartnerHealth(c *gin.Context) {
	h, err := s.db.PartnerPipelineHealth(c.Request.Context(), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPipelineHealthView(h))
}

func (s *Server) partnerSnapshots(c *gin.Context) {
	out, err := s.db.Snapshots(c.Request.Context(), principal(c).PartnerID, c.Query("month"))
	if err != nil {
		respondError(c, err)
		return
	}
	snapshotsResponse(c, out)
}

func (s *Server) adminSnapshots(c *gin.Context) {
	out, err := s.db.Snapshots(c.Request.Context(), c.Query("partner_id"), c.Query("month"))
	if err != nil {
		respondError(c, err)
		return
	}
	snapshotsResponse(c, out)
}

func snapshotsResponse(c *gin.Context, snaps []postgres.Snapshot) {
	items := make([]snapshotView, len(snaps))
	for i, sn := range snaps {
		var err error
		if items[i], err = toSnapshotView(sn); err != nil {
			respondError(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// adminMetrics serves the admin figures over [from, to); the default is
// the last 30 days.
func (s *Server) adminMetrics(c *gin.Context) {
	to := s.db.Now()
	from := to.AddDate(0, 0, -30)
	var pr domain.FieldCheck
	if v := c.Query("from"); v != "" {
		t, ok := domain.ParseTimeOrDate(v)
		if !ok {
			pr.Add("from", domain.TimeOrDateRule)
		}
		from = t
	}
	if v := c.Query("to"); v != "" {
		t, ok := domain.ParseTimeOrDate(v)
		if !ok {
			pr.Add("to", domain.TimeOrDateRule)
		}
		to = t
	}
	if pr.Empty() && !from.Before(to) {
		pr.Add("from", "must be before to")
	}
	if err := pr.Err(domain.ECodeValidation, "bad query parameters"); err != nil {
		respondError(c, err)
		return
	}
	m, err := s.db.Metrics(c.Request.Context(), from, to)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toMetricsView(m))
}

// pdmBriefView is the brief as JSON.
type pdmBriefView struct {
	ACERecordID   string `json:"ace_record_id"`
	Customer      string `json:"customer"`
	FundingSource string `json:"funding_source"`
	RequestedUSD  int64  `json:"requested_usd"`
	Brief         string `json:"brief"`
}

// pdmBrief serves the paragraph a partner sends its Partner Development
// Manager (ace.Brief). Accept: text/markdown gives the paragraph; anything
// else JSON. A partner that no longer holds the engagement may not see who
// the customer is, so the brief is not_found for it.
func (s *Server) pdmBrief(c *gin.Context) {
	r, err := s.db.ACERecord(c.Request.Context(), principal(c).PartnerID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	if !domain.PartnerSeesCustomer(r.AssignmentStatus) {
		respondError(c, domain.NotFound())
		return
	}
	in, err := s.db.Intake(c.Request.Context(), r.IntakeID)
	if err != nil {
		respondError(c, err)
		return
	}
	text := ace.Brief(BriefInput(r, in))
	if strings.Contains(c.GetHeader("Accept"), "text/markdown") {
		c.Data(http.StatusOK, "text/markdown; charset=utf-8", []byte(text+"\n"))
		return
	}
	c.JSON(http.StatusOK, pdmBriefView{ACERecordID: r.ID, Customer: in.CompanyName, FundingSource: r.FundingSource,
		RequestedUSD: r.RequestedUSD, Brief: text})
}

// BriefInput is what ace.Brief reads of a record and its intake; the
// console's brief page reads the same.
func BriefInput(r postgres.ACERecord, in postgres.Intake) ace.BriefInput {
	profile, _ := IntakeParts(in)
	bi := ace.BriefInput{RecordID: r.ID, State: r.State, FundingSource: r.FundingSource, RequestedUSD: r.RequestedUSD,
		TargetCloseDate: r.TargetCloseDate, Fields: r.RecordFields(), CompanyName: in.CompanyName,
		CustomerDomain: in.CustomerDomain, Stage: in.Stage, Vertical: in.Vertical, Region: in.Region,
		UseCase: in.UseCase, CompetingCloud: in.CompetingCloud}
	for _, l := range profile.ProjectedMonthlySpend {
		bi.ProjectedMonthlySpend = append(bi.ProjectedMonthlySpend, ace.SpendLine{Service: l.Service, USD: l.USD})
	}
	return bi
}
