package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

func (s *Server) registerPartnerRoutes(r *gin.RouterGroup) {
	g := r.Group("/admin/partners", s.requireRole(domain.RoleAdmin))
	g.POST("", s.createPartner)
	g.GET("", s.listPartners)
	g.GET("/:id", s.getPartner)
	g.PATCH("/:id", s.patchPartner)
	g.POST("/:id/api-keys", s.createPartnerKey)
	g.GET("/:id/api-keys", s.listPartnerKeys)
	g.DELETE("/:id/api-keys/:key_id", s.revokePartnerKey)
}

// partnerRequest is the body of POST and PATCH /v1/admin/partners.
type partnerRequest struct {
	Name               *string              `json:"name"`
	Tier               *string              `json:"tier"`
	Regions            *[]string            `json:"regions"`
	Verticals          *[]string            `json:"verticals"`
	Capacity           *int                 `json:"capacity"`
	CommissionBPS      *int                 `json:"commission_bps"`
	Status             *string              `json:"status"`
	ContactEmail       *string              `json:"contact_email"`
	ExcludedAxisValues *map[string][]string `json:"excluded_axis_values"`
}

func (r partnerRequest) toPatch() domain.PartnerPatch {
	return domain.PartnerPatch{Name: r.Name, Tier: r.Tier, Regions: r.Regions, Verticals: r.Verticals,
		Capacity: r.Capacity, CommissionBPS: r.CommissionBPS, Status: r.Status, ContactEmail: r.ContactEmail,
		ExcludedAxisValues: r.ExcludedAxisValues}
}

// partnerResponse is a partner as admins see it.
type partnerResponse struct {
	ID                 string              `json:"id"`
	Name               string              `json:"name"`
	Tier               string              `json:"tier"`
	Regions            []string            `json:"regions"`
	Verticals          []string            `json:"verticals"`
	Capacity           int                 `json:"capacity"`
	CommissionBPS      int                 `json:"commission_bps"`
	Status             string              `json:"status"`
	ContactEmail       string              `json:"contact_email"`
	ExcludedAxisValues map[string][]string `json:"excluded_axis_values"`
	CreatedAt          time.Time           `json:"created_at"`
	UpdatedAt          time.Time           `json:"updated_at"`
	// Responsiveness is shown on GET /v1/admin/partners/{id} only.
	Responsiveness *responsivenessView `json:"responsiveness,omitempty"`
}

func toPartnerResponse(p domain.Partner) partnerResponse {
	return partnerResponse{ID: p.ID, Name: p.Name, Tier: p.Tier, Regions: p.Regions, Verticals: p.Verticals,
		Capacity: p.Capacity, CommissionBPS: p.CommissionBPS, Status: p.Status, ContactEmail: p.ContactEmail,
		ExcludedAxisValues: p.ExcludedAxisValues, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func (s *Server) createPartner(c *gin.Context) {
	var req partnerRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	p, err := s.db.CreatePartner(c.Request.Context(), req.toPatch())
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Location", "/v1/admin/partners/"+p.ID)
	c.JSON(http.StatusCreated, toPartnerResponse(p))
}

func (s *Server) getPartner(c *gin.Context) {
	p, err := s.db.Partner(c.Request.Context(), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	resp := toPartnerResponse(p)
	rs, err := s.db.PartnerResponsiveness(c.Request.Context(), p.ID)
	if err != nil {
		respondError(c, err)
		return
	}
	rv := toResponsivenessView(rs)
	resp.Responsiveness = &rv
	c.JSON(http.StatusOK, resp)
}

func (s *Server) patchPartner(c *gin.Context) {
	if _, err := s.db.Partner(c.Request.Context(), c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	var req partnerRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	p, err := s.db.UpdatePartner(c.Request.Context(), c.Param("id"), req.toPatch())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPartnerResponse(p))
}

// pageParams reads limit (1..200, default 50) and cursor.
func pageParams(c *gin.Context, pr *domain.FieldCheck) (int, string) {
	limit := 50
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			pr.Add("limit", "must be an integer from 1 to 200")
		} else {
			limit = n
		}
	}
	return limit, c.Query("cursor")
}

func (s *Server) listPartners(c *gin.Context) {
	var pr domain.FieldCheck
	f := postgres.PartnerFilter{Tier: c.Query("tier"), Status: c.Query("status"), Region: c.Query("region")}
	if f.Tier != "" && !domain.OneOf(f.Tier, domain.Tiers) {
		pr.Add("tier", "must be one of the tiers")
	}
	if f.Status != "" && !domain.OneOf(f.Status, domain.PartnerStatuses) {
		pr.Add("status", "must be active or paused")
	}
	if f.Region != "" && !domain.OneOf(f.Region, domain.Regions) {
		pr.Add("region", "must be one of the regions")
	}
	f.Limit, f.After = pageParams(c, &pr)
	if err := pr.Err(domain.ECodeValidation, "bad query parameters"); err != nil {
		respondError(c, err)
		return
	}
	ps, next, err := s.db.ListPartners(c.Request.Context(), f)
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]partnerResponse, len(ps))
	for i, p := range ps {
		items[i] = toPartnerResponse(p)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nullable(next)})
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type apiKeyResponse struct {
	ID        string     `json:"id"`
	PartnerID *string    `json:"partner_id"`
	Role      string     `json:"role"`
	Prefix    string     `json:"prefix"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	Key       string     `json:"key,omitempty"`
}

func toKeyResponse(k postgres.APIKey) apiKeyResponse {
	return apiKeyResponse{ID: k.ID, PartnerID: k.PartnerID, Role: k.Role, Prefix: k.Prefix, Label: k.Label,
		CreatedAt: k.CreatedAt.UTC(), RevokedAt: utcPtr(k.RevokedAt)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *Server) createPartnerKey(c *gin.Context) {
	var req struct {
		Label string `json:"label"`
	}
	if err := bindOptionalJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	// The label's rule is storage's (postgres.CreatePartnerKey).
	k, secret, err := s.db.CreatePartnerKey(c.Request.Context(), c.Param("id"), req.Label)
	if err != nil {
		respondError(c, err)
		return
	}
	resp := toKeyResponse(k)
	resp.Key = secret
	c.JSON(http.StatusCreated, resp)
}

func (s *Server) listPartnerKeys(c *gin.Context) {
	keys, err := s.db.PartnerKeys(c.Request.Context(), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]apiKeyResponse, len(keys))
	for i, k := range keys {
		items[i] = toKeyResponse(k)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *Server) revokePartnerKey(c *gin.Context) {
	k, err := s.db.RevokePartnerKey(c.Request.Context(), c.Param("id"), c.Param("key_id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toKeyResponse(k))
}
