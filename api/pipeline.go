package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
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
	c.JSON(http.StatusOK, h)
}

func (s *Server) adminPartnerHealth(c *gin.Context) {
	h, err := s.db.PartnerPipelineHealth(c.Request.Context(), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

func (s *Server) partnerSnapshots(c *gin.Context) {
	out, err := s.db.Snapshots(c.Request.Context(), principal(c).PartnerID, c.Query("month"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

func (s *Server) adminSnapshots(c *gin.Context) {
	out, err := s.db.Snapshots(c.Request.Context(), c.Query("partner_id"), c.Query("month"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// adminMetrics serves the admin figures over [from, to); the default is
// the last 30 days.
func (s *Server) adminMetrics(c *gin.Context) {
	to := time.Now().UTC()
	from := to.AddDate(0, 0, -30)
	var pr domain.Problems
	if v := c.Query("from"); v != "" {
		t, ok := parseTime(v)
		if !ok {
			pr.Add("from", "must be an RFC 3339 time or a YYYY-MM-DD date")
		}
		from = t
	}
	if v := c.Query("to"); v != "" {
		t, ok := parseTime(v)
		if !ok {
			pr.Add("to", "must be an RFC 3339 time or a YYYY-MM-DD date")
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
	c.JSON(http.StatusOK, m)
}

// pdmBriefView is the brief as JSON.
type pdmBriefView struct {
	ACERecordID   string `json:"ace_record_id"`
	Customer      string `json:"customer"`
	FundingSource string `json:"funding_source"`
	RequestedUSD  int64  `json:"requested_usd"`
	Brief         string `json:"brief"`
}

// pdmBrief builds the paragraph a partner sends its Partner Development
// Manager before asking for co-sell (seed 000: "Brief your PDM before you
// submit co-sell requests"), from the record's fields by a fixed template.
// Accept: text/markdown gives the paragraph; anything else JSON.
func (s *Server) pdmBrief(c *gin.Context) {
	r, err := s.db.ACERecord(c.Request.Context(), principal(c).PartnerID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	in, err := s.db.Intake(c.Request.Context(), r.IntakeID)
	if err != nil {
		respondError(c, err)
		return
	}
	text := briefText(r, in)
	if strings.Contains(c.GetHeader("Accept"), "text/markdown") {
		c.Data(http.StatusOK, "text/markdown; charset=utf-8", []byte(text+"\n"))
		return
	}
	c.JSON(http.StatusOK, pdmBriefView{ACERecordID: r.ID, Customer: in.CompanyName, FundingSource: r.FundingSource,
		RequestedUSD: r.RequestedUSD, Brief: text})
}

var poolNames = map[string]string{
	"founders": "Activate Founders", "portfolio": "Activate Portfolio", "build_for_startups": "Build for Startups",
	"bedrock_poc": "Bedrock POC", "map": "the Migration Acceleration Program",
}

func briefText(r postgres.ACERecord, in postgres.Intake) string {
	f := r.RecordFields()
	str := func(p *string, def string) string {
		if p == nil || strings.TrimSpace(*p) == "" {
			return def
		}
		return strings.TrimSpace(*p)
	}
	var services []string
	var monthly int64
	for _, l := range f.ProjectedMonthlySpend {
		services = append(services, fmt.Sprintf("%s (%s USD/month)", strings.ToUpper(l.Service), money(l.USD)))
		monthly += l.USD
	}
	if len(services) == 0 {
		var spend []intake.SpendLine
		_ = json.Unmarshal(in.ProjectedMonthlySpend, &spend)
		for _, l := range spend {
			services = append(services, fmt.Sprintf("%s (%s USD/month)", strings.ToUpper(l.Service), money(l.USD)))
			monthly += l.USD
		}
	}
	ask := fmt.Sprintf("%s USD of %s credits", money(r.RequestedUSD), poolNames[r.FundingSource])
	if r.FundingSource == "map" {
		ask = "a " + poolNames["map"] + " referral"
	}
	stage := strings.ReplaceAll(str(f.FundingStage, in.Stage), "_", " ")
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (%s, %s stage, %s, %s) is asking, through us, for %s.",
		str(f.CompanyName, in.CompanyName), str(f.Website, in.CustomerDomain), stage,
		strings.ReplaceAll(str(f.Vertical, in.Vertical), "_", " "), strings.ReplaceAll(in.Region, "_", " "), ask)
	fmt.Fprintf(&b, " AWS is relevant because the workload projects %s USD a month on %s", money(monthly), strings.Join(services, ", "))
	if cc := str(f.CompetingCloud, in.CompetingCloud); cc != "none" {
		fmt.Fprintf(&b, ", with %s as the competing cloud", strings.ReplaceAll(cc, "_", " "))
	}
	fmt.Fprintf(&b, ", for this use case: %s", strings.TrimSuffix(str(f.UseCase, in.UseCase), "."))
	b.WriteString(".")
	if f.EstimatedAnnualSpendUSD != nil {
		fmt.Fprintf(&b, " After the credits, we expect %s USD a year of AWS spend.", money(*f.EstimatedAnnualSpendUSD))
	}
	fmt.Fprintf(&b, " Our role: %s.", strings.TrimSuffix(str(f.PartnerRole, "to be confirmed on the discovery call"), "."))
	fmt.Fprintf(&b, " We ask the field team to support the %s %s (record %s, now %s)", poolNames[r.FundingSource],
		map[bool]string{true: "referral", false: "application"}[r.FundingSource == "map"], r.ID, r.State)
	if r.TargetCloseDate != nil {
		fmt.Fprintf(&b, " toward a close by %s", *r.TargetCloseDate)
	}
	b.WriteString(", and to flag early anything a reviewer would question.")
	return b.String()
}

// money writes whole dollars with thousands separators.
func money(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
