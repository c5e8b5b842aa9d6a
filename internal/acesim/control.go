package acesim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// The control API plays AWS's side of the review. Each move changes the
// opportunity's LifeCycle as AWS would and moves its LastModifiedDate, so
// that a poll of ListOpportunities from the last date read finds it.
//
// Over HTTP, on the simulator's own listener (no signature; keep it on
// loopback):
//
//	GET    /_sim/healthz
//	GET    /_sim/opportunities                    every opportunity, with its account and catalog
//	GET    /_sim/opportunities/{id}
//	POST   /_sim/opportunities/{id}/{action}      {"reason": "...", "comments": "...", "stage": "..."}
//	       action: start-review, approve, reject, require-action, launch, close-lost, stage
//	POST   /_sim/invitations                      {"account_id", "catalog", "title", "sender_company_name", "expires_in_days"}
//	POST   /_sim/faults                           {"status": 429|500, "count": n, "seconds": n, "operations": [...], "after_commit": bool}
//	DELETE /_sim/faults
//
// A move the review does not allow answers 409 with {"error": "..."}; an
// unknown opportunity 404.

// Errors of the control methods.
var (
	ErrNotFound = errors.New("acesim: no such opportunity")
	ErrInvalid  = errors.New("acesim: not allowed in the opportunity's state")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// review runs one of AWS's moves on opportunity id under the lock.
func (s *Server) review(id string, move func(o *opportunity, lc *pc.LifeCycle) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, _, _ := s.find(id)
	if o == nil {
		return ErrNotFound
	}
	if err := move(o, o.lifeCycle()); err != nil {
		return err
	}
	s.touch(o)
	return nil
}

func underReview(lc *pc.LifeCycle) bool {
	return lc.ReviewStatus == pc.ReviewSubmitted || lc.ReviewStatus == pc.ReviewInReview
}

// StartReview moves a Submitted opportunity to In review.
func (s *Server) StartReview(id string) error {
	return s.review(id, func(_ *opportunity, lc *pc.LifeCycle) error {
		if lc.ReviewStatus != pc.ReviewSubmitted {
			return invalid("review status is %q, not Submitted", lc.ReviewStatus)
		}
		lc.ReviewStatus = pc.ReviewInReview
		return nil
	})
}

// Approve ends the review of a Submitted or In review opportunity with
// Approved: AWS validated it.
func (s *Server) Approve(id string) error {
	return s.review(id, func(_ *opportunity, lc *pc.LifeCycle) error {
		if !underReview(lc) {
			return invalid("review status is %q: only a Submitted or In review opportunity can be approved", lc.ReviewStatus)
		}
		lc.ReviewStatus, lc.ReviewStatusReason, lc.ReviewComments = pc.ReviewApproved, "", ""
		return nil
	})
}

// Reject ends the review with Rejected, giving AWS's reason
// (ReviewStatusReason) and comments (ReviewComments).
func (s *Server) Reject(id, reason, comments string) error {
	return s.review(id, func(_ *opportunity, lc *pc.LifeCycle) error {
		if !underReview(lc) && lc.ReviewStatus != pc.ReviewActionRequired {
			return invalid("review status is %q: only an opportunity under review can be rejected", lc.ReviewStatus)
		}
		if reason == "" {
			return invalid("a rejection needs a reason")
		}
		lc.ReviewStatus, lc.ReviewStatusReason, lc.ReviewComments = pc.ReviewRejected, reason, comments
		return nil
	})
}

// RequireAction sends the opportunity back to the partner with Action
// Required, AWS's reason and its comments; the partner's update (of the
// fields that stay editable) sends it back to Submitted.
func (s *Server) RequireAction(id, reason, comments string) error {
	return s.review(id, func(_ *opportunity, lc *pc.LifeCycle) error {
		if !underReview(lc) {
			return invalid("review status is %q: only an opportunity under review can need action", lc.ReviewStatus)
		}
		if comments == "" && reason == "" {
			return invalid("action required needs a reason or comments")
		}
		lc.ReviewStatus, lc.ReviewStatusReason, lc.ReviewComments = pc.ReviewActionRequired, reason, comments
		return nil
	})
}

// Launch moves an approved opportunity (or an AWS referral) to the
// Launched stage: the workload is live and AWS bills.
func (s *Server) Launch(id string) error {
	return s.SetStage(id, pc.StageLaunched, "")
}

// CloseLost moves the opportunity to Closed Lost with a ClosedLostReason
// (Other when empty).
func (s *Server) CloseLost(id, reason string) error {
	if reason == "" {
		reason = "Other"
	}
	return s.SetStage(id, pc.StageClosedLost, reason)
}

// SetStage moves the opportunity's stage as AWS's seller would. Launched
// needs an approved opportunity (or an AWS referral); Closed Lost needs a
// ClosedLostReason; nothing moves a Closed Lost opportunity.
func (s *Server) SetStage(id, stage, closedLostReason string) error {
	return s.review(id, func(o *opportunity, lc *pc.LifeCycle) error {
		switch {
		case !slices.Contains(pc.Stages, stage):
			return invalid("%q is not a stage", stage)
		case lc.Stage == pc.StageClosedLost:
			return invalid("the opportunity is Closed Lost")
		case stage == pc.StageLaunched && o.origin == pc.OriginPartnerReferral && lc.ReviewStatus != pc.ReviewApproved:
			return invalid("review status is %q: only an approved opportunity can launch", lc.ReviewStatus)
		case stage == pc.StageClosedLost && !slices.Contains(pc.ClosedLostReasons, closedLostReason):
			return invalid("%q is not a ClosedLostReason", closedLostReason)
		}
		lc.Stage = stage
		if stage == pc.StageClosedLost {
			lc.ClosedLostReason = closedLostReason
		}
		return nil
	})
}

// Record is one opportunity as the control API shows it.
type Record struct {
	AccountID   string                    `json:"account_id"`
	Catalog     string                    `json:"catalog"`
	Opportunity pc.GetOpportunityResponse `json:"opportunity"`
	Origin      string                    `json:"origin"`
}

// Opportunity returns one opportunity, whatever its account.
func (s *Server) Opportunity(id string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, c, acct := s.find(id)
	if o == nil {
		return Record{}, false
	}
	return Record{AccountID: acct, Catalog: c.name, Opportunity: o.get(), Origin: o.origin}, true
}

// Opportunities returns every opportunity of every account and catalog, by
// id: what a drill counts to show nothing was created twice.
func (s *Server) Opportunities() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Record
	for _, a := range s.accounts {
		for _, c := range a.catalogs {
			for _, o := range c.opps {
				out = append(out, Record{AccountID: a.id, Catalog: c.name, Opportunity: o.get(), Origin: o.origin})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Opportunity.Id < out[j].Opportunity.Id })
	return out
}

// Invitation describes an AWS referral to send a partner.
type Invitation struct {
	AccountID         string `json:"account_id"` // the receiving partner; TestCredential's when empty
	Catalog           string `json:"catalog"`    // Sandbox when empty
	Title             string `json:"title"`      // the engagement's title, at most 40 characters
	SenderCompanyName string `json:"sender_company_name"`
	ExpiresInDays     int    `json:"expires_in_days"` // 15 when 0, as the service's invitations
}

// Invite creates a PENDING engagement invitation for a partner: an AWS
// referral it can list, accept or reject.
func (s *Server) Invite(in Invitation) (pc.EngagementInvitationSummary, error) {
	if in.AccountID == "" {
		in.AccountID = TestCredential.AccountID
	}
	if in.Catalog == "" {
		in.Catalog = pc.CatalogSandbox
	}
	if !slices.Contains(pc.Catalogs, in.Catalog) {
		return pc.EngagementInvitationSummary{}, invalid("%q is not a catalog", in.Catalog)
	}
	if n := len([]rune(in.Title)); n < 1 || n > 40 {
		return pc.EngagementInvitationSummary{}, invalid("an engagement title has 1 to 40 characters")
	}
	if in.SenderCompanyName == "" {
		in.SenderCompanyName = "Amazon Web Services"
	}
	if in.ExpiresInDays <= 0 {
		in.ExpiresInDays = 15
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	exp := now.Add(time.Duration(in.ExpiresInDays) * 24 * time.Hour)
	id := randomID("engi-", 13)
	inv := &invitation{EngagementInvitationSummary: pc.EngagementInvitationSummary{
		Arn:                fmt.Sprintf("arn:aws:partnercentral::%s:%s/engagement-invitation/%s", in.AccountID, in.Catalog, id),
		PayloadType:        pc.PayloadOpportunityInvitation,
		Id:                 id,
		EngagementId:       randomID("eng-", 14),
		EngagementTitle:    in.Title,
		Status:             pc.InvitationPending,
		InvitationDate:     &now,
		ExpirationDate:     &exp,
		SenderAwsAccountId: "aws",
		SenderCompanyName:  in.SenderCompanyName,
		Receiver:           &pc.Receiver{Account: &pc.AccountReceiver{AwsAccountId: in.AccountID}},
		Catalog:            in.Catalog,
		ParticipantType:    pc.ParticipantReceiver,
	}}
	s.catalog(in.AccountID, in.Catalog).invitations[id] = inv
	return clone(inv.EngagementInvitationSummary), nil
}

// Fault makes the service fail on purpose, for drills: calls answer
// ThrottlingException (Status 429) or InternalServerException (500) for
// Count calls, or until Until, or both (whichever ends first).
type Fault struct {
	Status int
	Count  int
	Until  time.Time
	// Operations limits the fault to these operations; all when empty.
	Operations []string
	// AfterCommit does the call's work and then answers the error, as when
	// an answer is lost on the way back: the retry must not do it twice.
	AfterCommit bool
	used        int
}

func (f *Fault) active(now time.Time) bool {
	if !f.Until.IsZero() {
		return now.Before(f.Until) && (f.Count == 0 || f.used < f.Count)
	}
	return f.used < max(f.Count, 1)
}

func (f *Fault) answer() *apiError {
	if f.Status == 429 {
		return throttled()
	}
	e := internal()
	if f.Status > 500 && f.Status < 600 {
		e.status = f.Status
	}
	return e
}

// InjectFault adds a fault; faults apply in the order added.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// fault returns the fault that applies to this call of op, having counted
// it, or nil. The caller holds the lock.
func (s *Server) fault(op string) *Fault {
	now := s.opts.Now()
	s.faults = slices.DeleteFunc(s.faults, func(f *Fault) bool { return !f.active(now) })
	for _, f := range s.faults {
		if len(f.Operations) == 0 || slices.Contains(f.Operations, op) {
			f.used++
			return f
		}
	}
	return nil
}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	rest := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/_sim/"), "/"), "/")
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(err error) {
		switch {
		case errors.Is(err, ErrNotFound):
			reply(http.StatusNotFound, map[string]string{"error": err.Error()})
		case errors.Is(err, ErrInvalid):
			reply(http.StatusConflict, map[string]string{"error": err.Error()})
		default:
			reply(http.StatusBadRequest, map[string]string{"error": err.Error()})
		}
	}
	var in struct {
		Reason      string   `json:"reason"`
		Comments    string   `json:"comments"`
		Stage       string   `json:"stage"`
		Status      int      `json:"status"`
		Count       int      `json:"count"`
		Seconds     int      `json:"seconds"`
		Operations  []string `json:"operations"`
		AfterCommit bool     `json:"after_commit"`
		Invitation
	}
	if r.Method == http.MethodPost && r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
			fail(fmt.Errorf("acesim: the body is not the JSON this call takes: %w", err))
			return
		}
	}
	switch {
	case r.Method == http.MethodGet && len(rest) == 1 && rest[0] == "healthz":
		reply(http.StatusOK, map[string]string{"status": "ok"})
	case r.Method == http.MethodGet && len(rest) == 1 && rest[0] == "opportunities":
		reply(http.StatusOK, s.Opportunities())
	case r.Method == http.MethodGet && len(rest) == 2 && rest[0] == "opportunities":
		rec, ok := s.Opportunity(rest[1])
		if !ok {
			fail(ErrNotFound)
			return
		}
		reply(http.StatusOK, rec)
	case r.Method == http.MethodPost && len(rest) == 3 && rest[0] == "opportunities":
		id := rest[1]
		var err error
		switch rest[2] {
		case "start-review":
			err = s.StartReview(id)
		case "approve":
			err = s.Approve(id)
		case "reject":
			err = s.Reject(id, in.Reason, in.Comments)
		case "require-action":
			err = s.RequireAction(id, in.Reason, in.Comments)
		case "launch":
			err = s.Launch(id)
		case "close-lost":
			err = s.CloseLost(id, in.Reason)
		case "stage":
			err = s.SetStage(id, in.Stage, in.Reason)
		default:
			http.NotFound(w, r)
			return
		}
		if err != nil {
			fail(err)
			return
		}
		rec, _ := s.Opportunity(id)
		reply(http.StatusOK, rec)
	case r.Method == http.MethodPost && len(rest) == 1 && rest[0] == "invitations":
		inv, err := s.Invite(in.Invitation)
		if err != nil {
			fail(err)
			return
		}
		reply(http.StatusCreated, inv)
	case r.Method == http.MethodPost && len(rest) == 1 && rest[0] == "faults":
		if in.Status != 429 && (in.Status < 500 || in.Status > 599) {
			fail(errors.New("acesim: a fault's status is 429 or 5xx"))
			return
		}
		f := Fault{Status: in.Status, Count: in.Count, Operations: in.Operations, AfterCommit: in.AfterCommit}
		if in.Seconds > 0 {
			f.Until = s.opts.Now().Add(time.Duration(in.Seconds) * time.Second)
		}
		s.InjectFault(f)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodDelete && len(rest) == 1 && rest[0] == "faults":
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}
