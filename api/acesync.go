package api

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/aceconnect"
	"github.com/cloudroute/cloudroute/internal/acesync"
	"github.com/cloudroute/cloudroute/internal/domain"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// The ACE sync's routes (docs/ace-sync.md): a partner's connection to AWS
// Partner Central, linking a record, the admins' view of every
// connection, and the signed endpoint for events forwarded from a
// partner's EventBridge.
func (s *Server) registerACERoutes(r *gin.RouterGroup) {
	partner := s.requireRole(domain.RolePartner)
	r.GET("/partner/ace-connection", partner, s.getACEConnection)
	r.PUT("/partner/ace-connection", partner, s.putACEConnection)
	r.DELETE("/partner/ace-connection", partner, s.deleteACEConnection)
	r.POST("/partner/ace-connection/test", partner, s.testACEConnection)
	r.GET("/admin/ace-connections", s.requireRole(domain.RoleAdmin), s.listACEConnections)
	r.POST("/ace-records/:id/ace-link", partner, s.linkACERecord)
	r.POST("/ace-events/:connection_id", s.aceEvent)
}

// aceConnectionView is a connection without its secrets (AceConnection).
type aceConnectionView struct {
	ID            string        `json:"id"`
	PartnerID     string        `json:"partner_id"`
	PartnerName   string        `json:"partner_name"`
	Catalog       string        `json:"catalog"`
	AuthKind      string        `json:"auth_kind"`
	AccessKeyHint *string       `json:"access_key_hint"`
	RoleARN       *string       `json:"role_arn"`
	ExternalID    *string       `json:"external_id"`
	Endpoint      string        `json:"endpoint"`
	EventsURL     string        `json:"events_url"`
	Health        aceHealthView `json:"health"`
	PollCursor    *time.Time    `json:"poll_cursor"`
	LastPollAt    *time.Time    `json:"last_poll_at"`
	LinkedRecords int           `json:"linked_records"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	// EventsSecret is shown once, in the answer that creates the
	// connection.
	EventsSecret *string `json:"events_secret,omitempty"`
}

// aceHealthView is whether a connection works (AceConnectionHealth).
type aceHealthView struct {
	Status        string          `json:"status"` // untested, ok, failing
	LastCheckedAt *time.Time      `json:"last_checked_at"`
	LastSuccessAt *time.Time      `json:"last_success_at"`
	LastErrorAt   *time.Time      `json:"last_error_at"`
	LastError     *aceFailureView `json:"last_error"`
}

type aceFailureView struct {
	Kind         string  `json:"kind"`
	Message      string  `json:"message"`
	AWSErrorCode *string `json:"aws_error_code,omitempty"`
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func toACEConnectionView(c postgres.ACEConnection) aceConnectionView {
	v := aceConnectionView{ID: c.ID, PartnerID: c.PartnerID, PartnerName: c.PartnerName, Catalog: c.Catalog, AuthKind: c.AuthKind,
		AccessKeyHint: c.AccessKeyHint, RoleARN: c.RoleARN, ExternalID: c.ExternalID, Endpoint: pc.DefaultEndpoint,
		EventsURL: "/v1/ace-events/" + c.ID, PollCursor: utc(c.PollCursor), LastPollAt: utc(c.LastPollAt),
		LinkedRecords: c.LinkedRecords, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		Health: aceHealthView{Status: "untested", LastCheckedAt: utc(c.LastCheckedAt), LastSuccessAt: utc(c.LastSuccessAt),
			LastErrorAt: utc(c.LastErrorAt)}}
	if c.Endpoint != nil {
		v.Endpoint = *c.Endpoint
	}
	switch {
	case !c.Healthy():
		v.Health.Status = "failing"
	case c.LastSuccessAt != nil:
		v.Health.Status = "ok"
	}
	if c.LastErrorKind != nil && c.LastError != nil {
		v.Health.LastError = &aceFailureView{Kind: *c.LastErrorKind, Message: *c.LastError}
	}
	return v
}

// aceConnectionRequest is the body of PUT /v1/partner/ace-connection.
// The secrets are write-only: no answer ever carries them.
type aceConnectionRequest struct {
	Catalog         *string `json:"catalog"`
	AuthKind        *string `json:"auth_kind"`
	AccessKeyID     *string `json:"access_key_id"`
	SecretAccessKey *string `json:"secret_access_key"`
	RoleARN         *string `json:"role_arn"`
	Endpoint        *string `json:"endpoint"`
}

var (
	reAccessKeyID = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	reRoleARN     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)
)

func given(p *string) bool { return p != nil && strings.TrimSpace(*p) != "" }

// check validates the body, naming every bad field.
func (r aceConnectionRequest) check(ace *aceconnect.Connector) (postgres.ACEConnectionInput, *aceconnect.AccessKeys, error) {
	var p domain.FieldCheck
	in := postgres.ACEConnectionInput{Catalog: pc.CatalogSandbox}
	if r.Catalog != nil {
		in.Catalog = *r.Catalog
		if !domain.OneOf(in.Catalog, pc.Catalogs) {
			p.Add("catalog", "must be Sandbox or AWS")
		}
	}
	var keys *aceconnect.AccessKeys
	switch {
	case r.AuthKind == nil:
		p.Add("auth_kind", "is required: access_keys or assume_role")
	case *r.AuthKind == postgres.ACEAuthAccessKeys:
		in.AuthKind = *r.AuthKind
		if given(r.RoleARN) {
			p.Add("role_arn", "is only given with auth_kind assume_role")
		}
		switch id, secret := given(r.AccessKeyID), given(r.SecretAccessKey); {
		case id && secret:
			k := aceconnect.AccessKeys{AccessKeyID: strings.TrimSpace(*r.AccessKeyID), SecretAccessKey: strings.TrimSpace(*r.SecretAccessKey)}
			if !reAccessKeyID.MatchString(k.AccessKeyID) {
				p.Add("access_key_id", "must be an AWS access key id: 16 to 128 capital letters and digits")
			} else if strings.HasPrefix(k.AccessKeyID, "ASIA") {
				p.Add("access_key_id", "is a temporary key, which expires: use an IAM user's long-term keys, or a role")
			}
			if n := len(k.SecretAccessKey); n < 16 || n > 128 || strings.ContainsFunc(k.SecretAccessKey, func(r rune) bool { return r <= ' ' || r > '~' }) {
				p.Add("secret_access_key", "must be an AWS secret access key: 16 to 128 printable characters without spaces")
			}
			keys = &k
		case id != secret:
			// Both or neither: neither keeps the keys already saved.
			if !id {
				p.Add("access_key_id", "is required with secret_access_key")
			} else {
				p.Add("secret_access_key", "is required with access_key_id")
			}
		}
	case *r.AuthKind == postgres.ACEAuthAssumeRole:
		in.AuthKind = *r.AuthKind
		if given(r.AccessKeyID) {
			p.Add("access_key_id", "is only given with auth_kind access_keys")
		}
		if given(r.SecretAccessKey) {
			p.Add("secret_access_key", "is only given with auth_kind access_keys")
		}
		switch {
		case !given(r.RoleARN):
			p.Add("role_arn", "is required with auth_kind assume_role")
		case !reRoleARN.MatchString(strings.TrimSpace(*r.RoleARN)):
			p.Add("role_arn", "must be an IAM role ARN such as arn:aws:iam::123456789012:role/CloudRouteACE")
		default:
			in.RoleARN = strings.TrimSpace(*r.RoleARN)
			in.ExternalID = aceconnect.NewExternalID()
		}
	default:
		p.Add("auth_kind", "must be access_keys or assume_role")
	}
	if given(r.Endpoint) {
		e := strings.TrimRight(strings.TrimSpace(*r.Endpoint), "/")
		if !ace.EndpointAllowed(e) {
			p.Add("endpoint", "is not a Partner Central endpoint this CloudRoute may call; leave it out for AWS's")
		} else if e != pc.DefaultEndpoint {
			in.Endpoint = e
		}
	}
	return in, keys, p.Err(domain.ECodeValidation, "the connection has invalid fields")
}

func (s *Server) getACEConnection(c *gin.Context) {
	conn, err := s.db.ACEConnectionOf(c.Request.Context(), principal(c).PartnerID)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toACEConnectionView(conn))
}

// putACEConnection creates or replaces the caller's connection. The
// secrets are sealed here, before storage sees them, and never answered.
func (s *Server) putACEConnection(c *gin.Context) {
	p := principal(c)
	var req aceConnectionRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	in, keys, err := req.check(s.ace)
	if err != nil {
		respondError(c, err)
		return
	}
	if keys != nil {
		if in.CredentialsSealed, err = s.ace.SealAccessKeys(p.PartnerID, *keys); err != nil {
			respondError(c, err)
			return
		}
		in.AccessKeyHint = aceconnect.KeyHint(keys.AccessKeyID)
	}
	secret, sealed, err := s.ace.NewEventsSecret(p.PartnerID)
	if err != nil {
		respondError(c, err)
		return
	}
	in.EventsSecretSealed = sealed
	conn, created, err := s.db.PutACEConnection(c.Request.Context(), p, in)
	if err != nil {
		respondError(c, err)
		return
	}
	v := toACEConnectionView(conn)
	status := http.StatusOK
	if created {
		// The events secret is shown once, when it is made.
		v.EventsSecret, status = &secret, http.StatusCreated
		c.Header("Location", "/v1/partner/ace-connection")
	}
	c.JSON(status, v)
}

func (s *Server) deleteACEConnection(c *gin.Context) {
	if err := s.db.DeleteACEConnection(c.Request.Context(), principal(c).PartnerID); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// aceTestView is the outcome of a connection test (AceConnectionTest).
type aceTestView struct {
	OK         bool              `json:"ok"`
	TestedAt   time.Time         `json:"tested_at"`
	Failure    *aceFailureView   `json:"failure"`
	Connection aceConnectionView `json:"connection"`
}

// testACEConnection makes a cheap call with the caller's connection and
// says what failed: the credentials, the access, or the endpoint. The
// outcome is kept as the connection's health.
func (s *Server) testACEConnection(c *gin.Context) {
	ctx := c.Request.Context()
	conn, err := s.db.ACEConnectionOf(ctx, principal(c).PartnerID)
	if err != nil {
		respondError(c, err)
		return
	}
	res := s.ace.Test(ctx, conn)
	v := aceTestView{OK: res.OK, TestedAt: res.TestedAt}
	if !res.OK {
		v.Failure = &aceFailureView{Kind: res.Failure.Kind, Message: res.Failure.Message}
		if res.Failure.AWSCode != "" {
			v.Failure.AWSErrorCode = &res.Failure.AWSCode
		}
		logFrom(c).Info("ace connection test failed", "ace_connection", conn.ID, "failure", res.Failure.Kind,
			"aws_code", res.Failure.AWSCode)
	}
	if conn, err = s.db.RecordACEConnectionCheck(ctx, conn.ID, res.Failure.Kind, res.Failure.Message); err != nil {
		respondError(c, err)
		return
	}
	v.Connection = toACEConnectionView(conn)
	c.JSON(http.StatusOK, v)
}

func (s *Server) listACEConnections(c *gin.Context) {
	cs, err := s.db.ACEConnections(c.Request.Context())
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]aceConnectionView, len(cs))
	for i, conn := range cs {
		items[i] = toACEConnectionView(conn)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// aceLinkRequest is the body of POST /v1/ace-records/{id}/ace-link: what
// ACE needs that the record does not hold (acesync.Extra).
type aceLinkRequest struct {
	CountryCode    *string  `json:"country_code"`
	PostalCode     *string  `json:"postal_code"`
	StateOrRegion  *string  `json:"state_or_region"`
	City           *string  `json:"city"`
	StreetAddress  *string  `json:"street_address"`
	SolutionID     *string  `json:"solution_id"`
	DeliveryModels []string `json:"delivery_models"`
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Server) linkACERecord(c *gin.Context) {
	p := principal(c)
	if _, err := s.db.ACERecord(c.Request.Context(), p.PartnerID, c.Param("id")); err != nil {
		respondError(c, err)
		return
	}
	var req aceLinkRequest
	if err := bindOptionalJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	extra, err := acesync.CheckExtra(acesync.Extra{CountryCode: deref(req.CountryCode), PostalCode: deref(req.PostalCode),
		StateOrRegion: deref(req.StateOrRegion), City: deref(req.City), StreetAddress: deref(req.StreetAddress),
		SolutionID: deref(req.SolutionID), DeliveryModels: req.DeliveryModels})
	if err != nil {
		respondError(c, err)
		return
	}
	r, err := s.db.LinkACERecord(c.Request.Context(), p, c.Param("id"), extra)
	if err != nil {
		respondError(c, err)
		return
	}
	s.recordResponse(c, http.StatusOK, r, nil)
}

// aceEvent takes an event forwarded from a partner's EventBridge
// (aws.partnercentral-selling, "Opportunity Updated" and the others),
// signed with the connection's events secret, and polls the connection
// now. The event's content is not trusted: ACE is read, as by the poll.
// A missing or wrong signature, and an unknown connection, are the same
// 401, so the answer tells nothing about which connections exist.
func (s *Server) aceEvent(c *gin.Context) {
	body, err := readBody(c)
	if err != nil {
		respondError(c, err)
		return
	}
	refuse := func() {
		respondError(c, domain.Errorf(domain.ECodeUnauthenticated,
			"the event must be signed: %s: sha256=<hex HMAC-SHA256 of the body under the connection's events secret>",
			aceconnect.SignatureHeader))
	}
	sig := c.GetHeader(aceconnect.SignatureHeader)
	if sig == "" {
		refuse()
		return
	}
	conn, err := s.db.ACEConnection(c.Request.Context(), c.Param("connection_id"))
	if domain.ErrorCode(err) == domain.ECodeNotFound {
		refuse()
		return
	}
	if err != nil {
		respondError(c, err)
		return
	}
	if !s.ace.VerifyEvent(conn, body, sig) {
		refuse()
		return
	}
	if err := s.db.PingACEConnection(c.Request.Context(), conn); err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "accepted"})
}

// syncView is a linked record's sync state (AceRecordSync).
type syncView struct {
	Catalog        string          `json:"catalog"`
	OpportunityID  *string         `json:"opportunity_id"`
	ReviewStatus   *string         `json:"review_status"`
	Stage          *string         `json:"stage"`
	LinkedAt       time.Time       `json:"linked_at"`
	Pending        bool            `json:"pending"`
	LastPushAt     *time.Time      `json:"last_push_at"`
	LastPullAt     *time.Time      `json:"last_pull_at"`
	LastError      *syncErrorView  `json:"last_error"`
	ActionRequired *actionRequired `json:"action_required"`
	Link           aceLinkView     `json:"link"`
}

type syncErrorView struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	At      *time.Time      `json:"at"`
	Fields  []syncFieldView `json:"fields"`
}

// syncFieldView is one field ACE's rules (or ACE) refused: ACE's path, the
// CloudRoute field it is made from, and why.
type syncFieldView struct {
	Field           string  `json:"field"`
	CloudRouteField *string `json:"cloudroute_field"`
	Code            string  `json:"code"`
	Message         string  `json:"message"`
	Source          string  `json:"source"`
}

type actionRequired struct {
	Comments string `json:"comments"`
}

// aceLinkView is what the partner gave when linking the record.
type aceLinkView struct {
	CountryCode    string   `json:"country_code"`
	PostalCode     string   `json:"postal_code"`
	StateOrRegion  string   `json:"state_or_region"`
	City           string   `json:"city"`
	StreetAddress  string   `json:"street_address"`
	SolutionID     string   `json:"solution_id"`
	DeliveryModels []string `json:"delivery_models"`
}

func toSyncView(l postgres.ACELink) *syncView {
	x := l.ExtraFields()
	v := &syncView{Catalog: l.Catalog, OpportunityID: l.OpportunityID, ReviewStatus: l.ReviewStatus, Stage: l.Stage,
		LinkedAt: l.LinkedAt.UTC(), Pending: l.PushPending, LastPushAt: utc(l.LastPushAt), LastPullAt: utc(l.LastPullAt),
		Link: aceLinkView{CountryCode: x.CountryCode, PostalCode: x.PostalCode, StateOrRegion: x.StateOrRegion, City: x.City,
			StreetAddress: x.StreetAddress, SolutionID: x.SolutionID, DeliveryModels: x.DeliveryModels}}
	if v.Link.DeliveryModels == nil {
		v.Link.DeliveryModels = []string{}
	}
	if l.LastErrorCode != nil {
		e := &syncErrorView{Code: *l.LastErrorCode, At: utc(l.LastErrorAt), Fields: []syncFieldView{}}
		if l.LastError != nil {
			e.Message = *l.LastError
		}
		for _, f := range l.ErrorFields() {
			fv := syncFieldView{Field: f.Field, Code: f.Code, Message: f.Message, Source: f.Source}
			if from := acesync.CloudRouteField(f.Field); from != "" {
				fv.CloudRouteField = &from
			}
			e.Fields = append(e.Fields, fv)
		}
		v.LastError = e
	}
	if l.ActionRequired {
		v.ActionRequired = &actionRequired{Comments: deref(l.ActionComments)}
	}
	return v
}
