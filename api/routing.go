package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// MaxImportRows bounds one track-record import.
const MaxImportRows = 50_000

// MaxImportBytes bounds a track-record import body (50,000 rows of CSV or
// JSON fit well inside it).
const MaxImportBytes = 32 << 20

func (s *Server) registerRoutingRoutes(r *gin.RouterGroup) {
	admin := s.requireRole(domain.RoleAdmin)
	r.POST("/admin/partners/:id/track-record", admin, s.importTrackRecord)
	r.GET("/admin/routing-index", admin, s.routingIndex)
	r.GET("/admin/intakes", admin, s.listIntakes)
	r.GET("/admin/intakes/:id/routing-decisions", admin, s.routingDecisions)
	r.POST("/admin/intakes/:id/assign", admin, s.adminAssign)
	r.POST("/admin/intakes/:id/release", admin, s.adminRelease)
	r.POST("/admin/routing/preview", admin, s.routingPreview)
}

var intakeStatuses = []string{postgres.IntakeReceived, postgres.IntakeRouting, postgres.IntakePendingReview, postgres.IntakeOffered,
	postgres.IntakeEngaged, postgres.IntakeUnroutable, postgres.IntakeWithdrawn, postgres.IntakeClosed}

type adminIntake struct {
	ID                      string    `json:"id"`
	Status                  string    `json:"status"`
	CompanyName             string    `json:"company_name"`
	CustomerDomain          string    `json:"customer_domain"`
	Stage                   string    `json:"stage"`
	Region                  string    `json:"region"`
	Vertical                string    `json:"vertical"`
	ServiceProfile          string    `json:"service_profile"`
	EngagementType          string    `json:"engagement_type"`
	RequestedFundingSources []string  `json:"requested_funding_sources"`
	CreatedAt               time.Time `json:"created_at"`
	UpdatedAt               time.Time `json:"updated_at"`
}

func toAdminIntake(in postgres.Intake) adminIntake {
	return adminIntake{ID: in.ID, Status: in.Status, CompanyName: in.CompanyName, CustomerDomain: in.CustomerDomain,
		Stage: in.Stage, Region: in.Region, Vertical: in.Vertical, ServiceProfile: in.ServiceProfile,
		EngagementType: in.EngagementType, RequestedFundingSources: in.RequestedFundingSources,
		CreatedAt: in.CreatedAt.UTC(), UpdatedAt: in.UpdatedAt.UTC()}
}

func (s *Server) listIntakes(c *gin.Context) {
	var pr domain.FieldCheck
	f := postgres.IntakeFilter{Status: c.Query("status")}
	if f.Status != "" && !domain.OneOf(f.Status, intakeStatuses) {
		pr.Add("status", "must be one of %s", strings.Join(intakeStatuses, ", "))
	}
	f.Limit, f.After = pageParams(c, &pr)
	if err := pr.Err(domain.ECodeValidation, "bad query parameters"); err != nil {
		respondError(c, err)
		return
	}
	rows, next, err := s.db.ListIntakes(c.Request.Context(), f)
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]adminIntake, len(rows))
	for i, in := range rows {
		items[i] = toAdminIntake(in)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nullable(next)})
}

func (s *Server) routingDecisions(c *gin.Context) {
	ds, err := s.db.RoutingDecisions(c.Request.Context(), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]routingDecisionView, len(ds))
	for i, d := range ds {
		if items[i], err = toRoutingDecisionView(d); err != nil {
			respondError(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *Server) adminAssign(c *gin.Context) {
	var req struct {
		PartnerID string `json:"partner_id"`
		Reason    string `json:"reason"`
	}
	if _, err := s.db.Intake(c.Request.Context(), c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	var pr domain.FieldCheck
	if strings.TrimSpace(req.PartnerID) == "" {
		pr.Add("partner_id", "is required")
	}
	domain.CheckReason(&pr, "reason", req.Reason)
	if err := pr.Err(domain.ECodeValidation, "invalid fields"); err != nil {
		respondError(c, err)
		return
	}
	res, err := s.db.AdminAssign(c.Request.Context(), principal(c), c.Param("id"), req.PartnerID, req.Reason)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"intake_id": c.Param("id"), "status": postgres.IntakeOffered, "assignment_id": res.AssignmentID,
		"partner_id": res.PartnerID, "decision_id": res.DecisionID})
}

func (s *Server) adminRelease(c *gin.Context) {
	if _, err := s.db.Intake(c.Request.Context(), c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
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

// previewRequest is an intake profile for a what-if routing.
type previewRequest struct {
	Stage                   string   `json:"stage"`
	Region                  string   `json:"region"`
	Vertical                string   `json:"vertical"`
	ServiceProfile          string   `json:"service_profile"`
	EngagementType          string   `json:"engagement_type"`
	RequestedFundingSources []string `json:"requested_funding_sources"`
}

func (p previewRequest) profile() routing.Intake {
	return routing.Intake{Stage: p.Stage, Region: p.Region, Vertical: p.Vertical, ServiceProfile: p.ServiceProfile,
		EngagementType: p.EngagementType, RequestedFundingSources: p.RequestedFundingSources}
}

// validate holds the axes and each named pool to the intake form's own
// rules (intake.CheckAxis, intake.CheckFundingSource), so that a what-if
// speaks the same values as a real intake. Unlike the form, the pools may
// be left out: a what-if need not name any.
func (p previewRequest) validate() error {
	var pr domain.FieldCheck
	in := p.profile()
	for _, axis := range domain.Axes {
		intake.CheckAxis(&pr, axis, in.AxisValue(axis))
	}
	for i, fs := range p.RequestedFundingSources {
		intake.CheckFundingSource(&pr, fmt.Sprintf("requested_funding_sources[%d]", i), fs)
	}
	return pr.Err(domain.ECodeValidation, "the profile has invalid fields")
}

func (s *Server) routingPreview(c *gin.Context) {
	var req previewRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if err := req.validate(); err != nil {
		respondError(c, err)
		return
	}
	d, err := s.db.PreviewRouting(c.Request.Context(), req.profile())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toDecisionView(d))
}

func (s *Server) routingIndex(c *gin.Context) {
	var pr domain.FieldCheck
	axis := c.Query("axis")
	if axis != "" && !domain.OneOf(axis, domain.Axes) {
		pr.Add("axis", "must be one of %s", strings.Join(domain.Axes, ", "))
	}
	limit := 1000
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			pr.Add("limit", "must be an integer from 1 to 10000")
		} else {
			limit = n
		}
	}
	if err := pr.Err(domain.ECodeValidation, "bad query parameters"); err != nil {
		respondError(c, err)
		return
	}
	pid := c.Query("partner_id")
	if pid != "" {
		if _, err := s.db.Partner(c.Request.Context(), pid); err != nil {
			respondError(c, err)
			return
		}
	}
	cells, err := s.db.RoutingIndex(c.Request.Context(), pid, axis, limit)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(cells, toIndexCellView)})
}

// trackRecordItem is one imported outcome, as JSON or as a CSV row with
// the same column names.
type trackRecordItem struct {
	DecidedAt      string `json:"decided_at"`
	SubmittedAt    string `json:"submitted_at"`
	Stage          string `json:"stage"`
	Region         string `json:"region"`
	Vertical       string `json:"vertical"`
	ServiceProfile string `json:"service_profile"`
	EngagementType string `json:"engagement_type"`
	FundingSource  string `json:"funding_source"`
	Outcome        string `json:"outcome"`
	RequestedUSD   *int64 `json:"requested_usd"`
	ApprovedUSD    *int64 `json:"approved_usd"`
}

var trackRecordColumns = []string{"decided_at", "submitted_at", "stage", "region", "vertical", "service_profile",
	"engagement_type", "funding_source", "outcome", "requested_usd", "approved_usd"}

// maxRowErrors bounds how many bad fields one import lists.
const maxRowErrors = 1000

// check holds row i to the track-record rule (ace.CheckTrackRecordRow),
// naming its bad fields rows[i].field on pr.
func (it trackRecordItem) check(i int, now time.Time, pr *domain.FieldCheck) (postgres.TrackRecordRow, bool) {
	out, bad := ace.CheckTrackRecordRow(ace.TrackRecordRow{DecidedAt: it.DecidedAt, SubmittedAt: it.SubmittedAt,
		Stage: it.Stage, Region: it.Region, Vertical: it.Vertical, ServiceProfile: it.ServiceProfile,
		EngagementType: it.EngagementType, FundingSource: it.FundingSource, Outcome: it.Outcome,
		RequestedUSD: it.RequestedUSD, ApprovedUSD: it.ApprovedUSD}, now)
	for _, f := range bad {
		pr.Add(fmt.Sprintf("rows[%d].%s", i, f.Field), "%s", f.Message)
	}
	return postgres.TrackRecordRow(out), len(bad) == 0
}

// importTrackRecord streams a JSON array or a CSV file of outcomes into the
// partner's track record (ImportTrackRecord).
func (s *Server) importTrackRecord(c *gin.Context) {
	res, err := ImportTrackRecord(c.Request.Context(), s.db, c.Param("id"), mediaType(c) == "text/csv", c.Request.Body)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"partner_id": c.Param("id"), "imported": res.Imported})
}

// TrackRecordResult is what an import did.
type TrackRecordResult struct {
	// Imported is how many outcomes were stored.
	Imported int
	// Lines holds, for a CSV file, the line each row starts on (the header
	// is line 1), so that a page can name a bad row rows[i] by its line.
	Lines []int
}

// ImportTrackRecord streams a JSON array (or, with isCSV, a CSV file with
// a header row) of outcomes into the partner's track record, each row held
// to ace.CheckTrackRecordRow. It is all or nothing: rows are written as
// they are read, inside one transaction that commits only if every row is
// good; otherwise every bad field is named rows[i].<field> (i from 0, in
// the order of the file) in one validation_failed error, with the lines of
// a CSV file's rows in the result, and nothing is kept. The API and the
// console's upload page both import through it. Returns not_found (the
// partner), validation_failed, malformed_request or payload_too_large.
func ImportTrackRecord(ctx context.Context, db *postgres.DB, partnerID string, isCSV bool, body io.Reader) (TrackRecordResult, error) {
	var res TrackRecordResult
	imp, err := db.BeginTrackRecordImport(ctx, partnerID)
	if err != nil {
		return res, err
	}
	defer imp.Rollback()
	var pr domain.FieldCheck
	now := db.Now()
	rows := 0
	add := func(it trackRecordItem, line int) error {
		if rows >= MaxImportRows {
			return domain.Errorf(domain.ECodePayloadTooLarge, "an import holds at most %d rows", MaxImportRows)
		}
		if isCSV {
			res.Lines = append(res.Lines, line)
		}
		row, ok := it.check(rows, now, &pr)
		rows++
		if !ok {
			imp.MarkFailed()
			if len(pr.Fields) > maxRowErrors {
				return errTooManyRowErrors
			}
			return nil
		}
		return imp.Add(ctx, row)
	}
	if isCSV {
		err = readCSV(body, add)
	} else {
		err = readJSONArray(body, func(it trackRecordItem) error { return add(it, 0) })
	}
	if err != nil && !errors.Is(err, errTooManyRowErrors) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = domain.Errorf(domain.ECodePayloadTooLarge, "the import is larger than %d bytes", MaxImportBytes)
		}
		return res, err
	}
	if !pr.Empty() {
		msg := fmt.Sprintf("%d bad fields; nothing was imported", len(pr.Fields))
		if errors.Is(err, errTooManyRowErrors) {
			msg = fmt.Sprintf("more than %d bad fields (listing stopped); nothing was imported", maxRowErrors)
		}
		return res, &domain.Error{Code: domain.ECodeValidation, Message: msg, Fields: pr.Fields}
	}
	if rows == 0 {
		return res, &domain.Error{Code: domain.ECodeValidation, Message: "the import holds no rows",
			Fields: []domain.FieldError{{Field: "rows", Message: "must hold at least one row"}}}
	}
	res.Imported, err = imp.Commit(ctx)
	return res, err
}

var errTooManyRowErrors = errors.New("too many bad rows")

// readJSONArray decodes a JSON array one element at a time.
func readJSONArray(r io.Reader, add func(trackRecordItem) error) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	tok, err := dec.Token()
	if err != nil {
		return wrapRead(err, "the body is not JSON")
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return domain.Errorf(domain.ECodeMalformed, "the body must be a JSON array of outcomes")
	}
	for i := 0; dec.More(); i++ {
		var it trackRecordItem
		if err := dec.Decode(&it); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return &domain.Error{Code: domain.ECodeMalformed, Message: "a row has a field of the wrong type",
					Fields: []domain.FieldError{{Field: fmt.Sprintf("rows[%d].%s", i, te.Field), Message: "must be " + jsonKind(te.Type.Kind().String())}}}
			}
			return wrapRead(err, fmt.Sprintf("row %d is not valid JSON", i))
		}
		if err := add(it); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return wrapRead(err, "the JSON array is not closed")
	}
	return nil
}

func wrapRead(err error, msg string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return domain.Errorf(domain.ECodeMalformed, "%s", msg)
}

// readCSV reads a CSV file with a header row naming the columns; add gets
// each row with the line it starts on.
func readCSV(r io.Reader, add func(trackRecordItem, int) error) error {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return wrapRead(err, "the CSV has no header row")
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	var missing []domain.FieldError
	for _, name := range trackRecordColumns {
		if _, ok := col[name]; !ok && name != "approved_usd" {
			missing = append(missing, domain.FieldError{Field: "header." + name, Message: "column is missing"})
		}
	}
	if len(missing) > 0 {
		return &domain.Error{Code: domain.ECodeValidation, Message: "the CSV header lacks columns", Fields: missing}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	num := func(v string) *int64 {
		if v == "" {
			return nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			n = -1 // reported as out of range by check
		}
		return &n
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return wrapRead(err, "the CSV is malformed: "+strings.TrimPrefix(err.Error(), "record on "))
		}
		it := trackRecordItem{DecidedAt: get(rec, "decided_at"), SubmittedAt: get(rec, "submitted_at"), Stage: get(rec, "stage"),
			Region: get(rec, "region"), Vertical: get(rec, "vertical"), ServiceProfile: get(rec, "service_profile"),
			EngagementType: get(rec, "engagement_type"), FundingSource: get(rec, "funding_source"), Outcome: get(rec, "outcome"),
			RequestedUSD: num(get(rec, "requested_usd")), ApprovedUSD: num(get(rec, "approved_usd"))}
		line, _ := cr.FieldPos(0)
		if err := add(it, line); err != nil {
			return err
		}
	}
}
