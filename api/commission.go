package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

func (s *Server) registerCommissionRoutes(r *gin.RouterGroup) {
	admin := s.requireRole(domain.RoleAdmin)
	r.GET("/partner/statements", s.requireRole(domain.RolePartner), s.partnerStatements)
	r.GET("/admin/statements", admin, s.adminStatements)
	r.POST("/admin/statements/:id/settle", admin, s.settleStatement)
	r.POST("/admin/partners/:id/commission-adjustments", admin, s.addAdjustment)
	r.GET("/admin/reconciliation", admin, s.reconciliation)
}

var statementStates = []string{"open", "invoiced", "paid"}

func statementFilter(c *gin.Context) (postgres.StatementFilter, error) {
	f := postgres.StatementFilter{Month: c.Query("month"), State: c.Query("state")}
	var pr domain.FieldCheck
	if f.State != "" && !domain.OneOf(f.State, statementStates) {
		pr.Add("state", "must be one of %s", strings.Join(statementStates, ", "))
	}
	return f, pr.Err(domain.ECodeValidation, "bad query parameters")
}

func (s *Server) partnerStatements(c *gin.Context) {
	f, err := statementFilter(c)
	if err != nil {
		respondError(c, err)
		return
	}
	f.PartnerID = principal(c).PartnerID
	st, err := s.db.ListStatements(c.Request.Context(), f)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(st, toStatementView)})
}

func (s *Server) adminStatements(c *gin.Context) {
	f, err := statementFilter(c)
	if err != nil {
		respondError(c, err)
		return
	}
	f.PartnerID = c.Query("partner_id")
	st, err := s.db.ListStatements(c.Request.Context(), f)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(st, toStatementView)})
}

func (s *Server) settleStatement(c *gin.Context) {
	var req struct {
		State     string `json:"state"`
		Reference string `json:"reference"`
	}
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	// The state and reference rules are storage's (SettleStatement).
	st, err := s.db.SettleStatement(c.Request.Context(), principal(c), c.Param("id"), req.State, req.Reference)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toStatementView(st))
}

func (s *Server) addAdjustment(c *gin.Context) {
	if _, err := s.db.Partner(c.Request.Context(), c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	var req struct {
		AmountCents *int64 `json:"amount_cents"`
		Reason      string `json:"reason"`
	}
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	var pr domain.FieldCheck
	if req.AmountCents == nil || *req.AmountCents == 0 {
		pr.Add("amount_cents", "is required and must not be 0")
	} else if *req.AmountCents > 1_000_000_000_00 || *req.AmountCents < -1_000_000_000_00 {
		pr.Add("amount_cents", "is too large")
	}
	domain.CheckReason(&pr, "reason", req.Reason)
	if err := pr.Err(domain.ECodeValidation, "invalid fields"); err != nil {
		respondError(c, err)
		return
	}
	e, err := s.db.AddAdjustment(c.Request.Context(), principal(c), c.Param("id"), *req.AmountCents, strings.TrimSpace(req.Reason))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, toEntryView(e))
}

func (s *Server) reconciliation(c *gin.Context) {
	r, err := s.db.Reconcile(c.Request.Context())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toReconciliationView(r))
}
