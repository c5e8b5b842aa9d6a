package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/acesync"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

func (s *Server) registerRecordRoutes(r *gin.RouterGroup) {
	partner := s.requireRole(domain.RolePartner)
	r.POST("/assignments/:id/ace-records", partner, s.createRecord)
	r.GET("/ace-records/:id", partner, s.getRecord)
	r.PATCH("/ace-records/:id", partner, s.patchRecord)
	r.POST("/ace-records/:id/transitions", partner, s.transitionRecord)
}

type recordView struct {
	ID                    string           `json:"id"`
	AssignmentID          string           `json:"assignment_id"`
	IntakeID              string           `json:"intake_id"`
	FundingSource         string           `json:"funding_source"`
	State                 string           `json:"state"`
	RequestedUSD          int64            `json:"requested_usd"`
	ApprovedUSD           *int64           `json:"approved_usd"`
	ApprovedFundingSource *string          `json:"approved_funding_source"`
	TargetCloseDate       *string          `json:"target_close_date"`
	Fields                ace.RecordFields `json:"fields"`
	EditableFields        []string         `json:"editable_fields"`
	Transitions           []transitionView `json:"transitions"`
	Warnings              []string         `json:"warnings"`
	// Sync is the record's ACE sync state; nil while it is not linked.
	Sync      *syncView `json:"sync"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (s *Server) recordResponse(c *gin.Context, status int, r postgres.ACERecord, warnings []string) {
	ts, err := s.db.RecordTransitions(c.Request.Context(), r.ID)
	if err != nil {
		respondError(c, err)
		return
	}
	if warnings == nil {
		warnings = []string{}
	}
	fields, editable := ace.SeenByPartner(r.RecordFields(), r.State, r.AssignmentStatus)
	if editable == nil {
		editable = []string{}
	}
	link, linked, err := s.db.ACELinkOf(c.Request.Context(), r.ID)
	if err != nil {
		respondError(c, err)
		return
	}
	var sync *syncView
	if linked {
		sync = toSyncView(link)
		if link.ActionRequired && len(editable) > 0 {
			// AWS asks for a fix: what ACE lets the partner change is
			// editable while it does.
			editable = acesync.EditableFields(r.State, true)
		}
	}
	c.JSON(status, recordView{ID: r.ID, AssignmentID: r.AssignmentID, IntakeID: r.IntakeID, FundingSource: r.FundingSource,
		State: r.State, RequestedUSD: r.RequestedUSD, ApprovedUSD: r.ApprovedUSD, ApprovedFundingSource: r.ApprovedFundingSource,
		TargetCloseDate: r.TargetCloseDate, Fields: fields, EditableFields: editable, Transitions: mapSlice(ts, toTransitionView), Warnings: warnings,
		Sync: sync, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()})
}

// createRecordRequest is the body of POST /v1/assignments/{id}/ace-records:
// the pool and amount, plus any record fields (seed 002 §VII) on top of
// those prefilled from the intake.
type createRecordRequest struct {
	ace.RecordFields
	FundingSource *string `json:"funding_source"`
	RequestedUSD  *int64  `json:"requested_usd"`
}

func (s *Server) createRecord(c *gin.Context) {
	p := principal(c)
	if _, err := s.db.PartnerAssignment(c.Request.Context(), p.PartnerID, c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	var req createRecordRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	var pr domain.FieldCheck
	if req.FundingSource == nil {
		pr.Add("funding_source", "is required")
	} else if !domain.OneOf(*req.FundingSource, domain.FundingSources) {
		pr.Add("funding_source", "must be one of the funding sources")
	}
	if req.RequestedUSD == nil {
		if req.FundingSource != nil && *req.FundingSource == "map" {
			zero := int64(0)
			req.RequestedUSD = &zero
		} else {
			pr.Add("requested_usd", "is required")
		}
	}
	if err := pr.Err(domain.ECodeValidation, "the record has invalid fields"); err != nil {
		respondError(c, err)
		return
	}
	r, warnings, err := s.db.CreateACERecord(c.Request.Context(), p, c.Param("id"), *req.FundingSource,
		*req.RequestedUSD, req.RecordFields)
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Location", "/v1/ace-records/"+r.ID)
	s.recordResponse(c, http.StatusCreated, r, warnings)
}

func (s *Server) getRecord(c *gin.Context) {
	r, err := s.db.ACERecord(c.Request.Context(), principal(c).PartnerID, c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	var warnings []string
	if w := ace.PlausibilityWarning(r.RequestedUSD, ace.MonthlySpendUSD(r.RecordFields())); w != "" {
		warnings = append(warnings, w)
	}
	s.recordResponse(c, http.StatusOK, r, warnings)
}

type patchRecordRequest struct {
	ace.RecordFields
	RequestedUSD  *int64  `json:"requested_usd"`
	FundingSource *string `json:"funding_source"`
}

func (s *Server) patchRecord(c *gin.Context) {
	p := principal(c)
	if _, err := s.db.ACERecord(c.Request.Context(), p.PartnerID, c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	var req patchRecordRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if req.FundingSource != nil {
		respondError(c, &domain.Error{Code: domain.ECodeValidation, Message: "the pool of a record cannot change; withdraw it and file another",
			Fields: []domain.FieldError{{Field: "funding_source", Message: "cannot be changed"}}})
		return
	}
	r, warnings, err := s.db.PatchACERecord(c.Request.Context(), p.PartnerID, c.Param("id"), req.RecordFields, req.RequestedUSD)
	if err != nil {
		respondError(c, err)
		return
	}
	s.recordResponse(c, http.StatusOK, r, warnings)
}

func (s *Server) transitionRecord(c *gin.Context) {
	p := principal(c)
	if _, err := s.db.ACERecord(c.Request.Context(), p.PartnerID, c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	var req struct {
		To                    string  `json:"to"`
		Reason                string  `json:"reason"`
		ApprovedUSD           *int64  `json:"approved_usd"`
		ApprovedFundingSource *string `json:"approved_funding_source"`
		TargetCloseDate       *string `json:"target_close_date"`
	}
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	var pr domain.FieldCheck
	if !domain.OneOf(req.To, ace.States) {
		pr.Add("to", "must be one of the record states")
	}
	// Whether the move needs a reason is ace.RequiresReason, applied with
	// the record's state; what a reason may hold is the same for every move.
	domain.CheckOptionalReason(&pr, "reason", req.Reason)
	if err := pr.Err(domain.ECodeValidation, "the transition has invalid fields"); err != nil {
		respondError(c, err)
		return
	}
	r, warnings, err := s.db.TransitionACERecord(c.Request.Context(), p, c.Param("id"), ace.TransitionRequest{
		To: req.To, Reason: req.Reason, ApprovedUSD: req.ApprovedUSD, ApprovedFundingSource: req.ApprovedFundingSource,
		TargetCloseDate: req.TargetCloseDate})
	if err != nil {
		respondError(c, err)
		return
	}
	s.recordResponse(c, http.StatusOK, r, warnings)
}
