package aceconnect

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/acesync"
	"github.com/cloudroute/cloudroute/internal/domain"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// Syncer pushes linked records to Partner Central and pulls AWS's answers
// back. Every step is safe to run twice: asynq delivers at least once.
type Syncer struct {
	DB   *postgres.DB
	Conn *Connector
	Log  *slog.Logger
	// Lease bounds one push of a record; two pushes of one record never run
	// at once. Two minutes when zero.
	Lease time.Duration
}

// ErrBusy is a push that found another push of the same record running;
// the task is retried.
var ErrBusy = errors.New("aceconnect: another push of the record is running")

// errBadOpportunityID is a link whose opportunity id is not one ACE makes.
var errBadOpportunityID = errors.New("aceconnect: the linked opportunity id does not meet ACE's rules")

// errRetry marks a push stopped by a failure that may pass (throttling,
// ACE failing, no answer): the task is retried with backoff.
type errRetry struct{ err error }

func (e errRetry) Error() string { return "aceconnect: retryable: " + e.err.Error() }
func (e errRetry) Unwrap() error { return e.err }

func (s *Syncer) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// digest identifies what CloudRoute maps a record to, so that an edit
// changing nothing ACE holds sends nothing.
func digest(req pc.CreateOpportunityRequest) []byte {
	b, _ := json.Marshal(req.Opportunity)
	h := sha256.Sum256(b)
	return h[:]
}

// Push brings a linked record's opportunity up to date, in order:
//
//  1. create it, with ClientToken = the record id and the payload decided
//     the first time (kept until ACE answers, so a retry matches);
//  2. send a later edit with UpdateOpportunity (read first, for its
//     LastModifiedDate; a ConflictException reads again), held back while
//     ACE's review locks the opportunity;
//  3. once the partner submitted the record, associate its solution and
//     start the engagement that submits it.
//
// Every request is first checked against ACE's rules; a failure is kept on
// the record for the partner and nothing is sent. A validation error from
// ACE goes back to the partner the same way, not retried. Throttling, ACE
// failures and no answer return an error, so that the task is retried
// with backoff (the client has retried each call already). A record not
// linked, or with nothing to push, is left alone.
func (s *Syncer) Push(ctx context.Context, recordID string) error {
	it, err := s.DB.ACEPushItem(ctx, recordID)
	if domain.ErrorCode(err) == domain.ECodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !it.Link.PushPending {
		return nil
	}
	if !it.HasConnection {
		return s.DB.SetACELinkError(ctx, recordID, &acesync.SyncError{Code: acesync.SyncNoConnection,
			Message: "the partner has no connection to ACE; the record is sent once it connects again"})
	}
	lease := s.Lease
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	seq, ok, err := s.DB.ClaimACEPush(ctx, recordID, lease)
	if err != nil {
		return err
	}
	if !ok {
		return ErrBusy
	}
	done := false
	defer func() {
		if err := s.DB.ReleaseACEPush(context.WithoutCancel(ctx), recordID, seq, done); err != nil {
			s.log().Warn("ace push: the lease could not be released; it expires", "ace_record_id", recordID, "err", err.Error())
		}
	}()
	// What the push acts on is read under the lease.
	if it, err = s.DB.ACEPushItem(ctx, recordID); err != nil {
		return err
	}
	done, err = s.push(ctx, it)
	return err
}

// push does the work of Push under the lease. It reports whether all there
// was to do is done (or cannot be done until the partner acts).
func (s *Syncer) push(ctx context.Context, it postgres.ACEPushItem) (bool, error) {
	id, link, conn := it.Record.ID, it.Link, it.Connection
	if conn.Catalog != link.Catalog {
		// It waits (still pending) for the connection to name its catalog
		// again; saving the connection pushes it then.
		return false, s.DB.SetACELinkError(ctx, id, &acesync.SyncError{Code: acesync.SyncConnection,
			Message: fmt.Sprintf("the record was filed in the %s catalog and the connection now uses %s: connect to %s to sync it",
				link.Catalog, conn.Catalog, link.Catalog)})
	}
	client, err := s.Conn.Client(conn)
	if err != nil {
		return s.failed(ctx, it, "client", err)
	}
	now := s.DB.Now()
	mapping := acesync.CreateRequest(link.Catalog, it.Sync)
	want := digest(mapping)
	oppID, pushed := "", link.PushedDigest
	if link.OpportunityID != nil {
		oppID = *link.OpportunityID
	}

	// 1. Create.
	if oppID == "" {
		req := mapping
		if link.PendingCreate != nil {
			if err := json.Unmarshal(link.PendingCreate, &req); err != nil {
				return false, fmt.Errorf("ace push %s: the pending create does not decode: %w", id, err)
			}
		} else {
			if errs := pc.ValidateCreate(req, now); len(errs) > 0 {
				return true, s.DB.SetACELinkError(ctx, id, &acesync.SyncError{Code: acesync.SyncPreflight, Fields: errs,
					Message: "the record does not meet ACE's rules yet; nothing was sent to ACE. Fix the fields listed and it is sent"})
			}
			b, _ := json.Marshal(req)
			if err := s.DB.SaveACEPendingCreate(ctx, id, b); err != nil {
				return false, err
			}
		}
		res, err := client.CreateOpportunity(ctx, req)
		if err != nil {
			return s.failed(ctx, it, "CreateOpportunity", err)
		}
		oppID, pushed = res.Id, digest(req)
		mod := res.LastModifiedDate
		if err := s.DB.RecordACEPushStep(ctx, id, postgres.ACEPushStep{OpportunityID: oppID, ModifiedAt: &mod, Digest: pushed}); err != nil {
			return false, err
		}
		s.log().Info("ace opportunity created", "ace_record_id", id, "opportunity_id", oppID)
	}

	// get reads the opportunity, checked like every other call.
	get := func() (*pc.GetOpportunityResponse, error) {
		req := pc.GetOpportunityRequest{Catalog: link.Catalog, Identifier: oppID}
		if errs := pc.ValidateGet(req); len(errs) > 0 {
			return nil, fmt.Errorf("%w: %s", errBadOpportunityID, errs[0])
		}
		return client.GetOpportunity(ctx, req)
	}

	// 2. Update, when the record maps to something else than was sent.
	var current *pc.GetOpportunityResponse
	if !bytes.Equal(pushed, want) {
		for attempt := 1; ; attempt++ {
			cur, err := get()
			if err != nil {
				return s.failed(ctx, it, "GetOpportunity", err)
			}
			current = cur
			status := statusOf(cur)
			if acesync.Locked(status) {
				// AWS reviews it: the edit waits, and a later poll pushes it
				// once the review ends.
				mod := cur.LastModifiedDate
				return false, s.DB.RecordACEPushStep(ctx, id, postgres.ACEPushStep{ModifiedAt: &mod, ReviewStatus: status,
					Stage: stageOf(cur)})
			}
			upd := acesync.UpdateRequest(*cur, it.Sync)
			if errs := pc.ValidateUpdate(upd, now); len(errs) > 0 {
				return true, s.DB.SetACELinkError(ctx, id, &acesync.SyncError{Code: acesync.SyncPreflight, Fields: errs,
					Message: "the edit does not meet ACE's rules; nothing was sent to ACE. Fix the fields listed and it is sent"})
			}
			res, err := client.UpdateOpportunity(ctx, upd)
			if errors.As(err, new(*pc.ConflictException)) && attempt < 3 {
				// Changed since it was read: read it again.
				continue
			}
			if err != nil {
				return s.failed(ctx, it, "UpdateOpportunity", err)
			}
			mod := res.LastModifiedDate
			if err := s.DB.RecordACEPushStep(ctx, id, postgres.ACEPushStep{ModifiedAt: &mod, Digest: want,
				ReviewStatus: status, Stage: stageOf(cur)}); err != nil {
				return false, err
			}
			current = nil // moved on since it was read
			break
		}
	}

	// 3. Submit, once the partner submitted the record.
	if it.Record.State != ace.StateSubmitted || link.SubmittedAt != nil {
		return true, nil
	}
	if !link.Associated {
		areq := acesync.AssociateRequest(link.Catalog, oppID, it.Sync)
		if errs := pc.ValidateAssociate(areq); len(errs) > 0 {
			return true, s.DB.SetACELinkError(ctx, id, &acesync.SyncError{Code: acesync.SyncPreflight, Fields: errs,
				Message: "the solution to associate does not meet ACE's rules; nothing was sent"})
		}
		if err := client.AssociateOpportunity(ctx, areq); err != nil {
			return s.failed(ctx, it, "AssociateOpportunity", err)
		}
		if err := s.DB.RecordACEPushStep(ctx, id, postgres.ACEPushStep{Associated: true}); err != nil {
			return false, err
		}
	}
	if current == nil {
		if current, err = get(); err != nil {
			return s.failed(ctx, it, "GetOpportunity", err)
		}
	}
	if status := statusOf(current); status != "" && status != pc.ReviewPendingSubmission {
		// Submitted already (a retry after a lost answer, or by hand in
		// Partner Central).
		mod := current.LastModifiedDate
		return true, s.DB.RecordACEPushStep(ctx, id, postgres.ACEPushStep{Submitted: true, ModifiedAt: &mod,
			ReviewStatus: status, Stage: stageOf(current)})
	}
	sreq := acesync.SubmitRequest(link.Catalog, oppID, id, current.LastModifiedDate)
	if errs := pc.ValidateStartEngagement(sreq); len(errs) > 0 {
		return true, s.DB.SetACELinkError(ctx, id, &acesync.SyncError{Code: acesync.SyncPreflight, Fields: errs,
			Message: "the submission does not meet ACE's rules; nothing was sent"})
	}
	res, err := client.StartEngagementFromOpportunityTask(ctx, sreq)
	if err != nil {
		return s.failed(ctx, it, "StartEngagementFromOpportunityTask", err)
	}
	if res.TaskStatus == pc.TaskFailed {
		// ACE's message is for the partner: it names what to fix.
		msg := "ACE could not submit the opportunity"
		if res.ReasonCode != "" {
			msg += " (" + res.ReasonCode + ")"
		}
		if res.Message != "" {
			msg += ": " + res.Message
		}
		return true, s.DB.SetACELinkError(ctx, id, &acesync.SyncError{Code: acesync.SyncSubmissionFailed, Message: msg})
	}
	if err := s.DB.RecordACEPushStep(ctx, id, postgres.ACEPushStep{Submitted: true}); err != nil {
		return false, err
	}
	s.log().Info("ace opportunity submitted", "ace_record_id", id, "opportunity_id", oppID, "task_status", res.TaskStatus)
	return true, nil
}

func statusOf(o *pc.GetOpportunityResponse) string {
	if o == nil || o.LifeCycle == nil {
		return ""
	}
	return o.LifeCycle.ReviewStatus
}

func stageOf(o *pc.GetOpportunityResponse) string {
	if o == nil || o.LifeCycle == nil {
		return ""
	}
	return o.LifeCycle.Stage
}

// failed records what a failed call means for the record (and for the
// connection, when it is the connection's fault) and tells Push whether to
// stop for good (done) or to be retried (an error).
func (s *Syncer) failed(ctx context.Context, it postgres.ACEPushItem, op string, err error) (bool, error) {
	id := it.Record.ID
	var verr *pc.ValidationException
	if errors.As(err, &verr) {
		if op == "CreateOpportunity" {
			// Nothing was created: the next create is decided afresh.
			if err := s.DB.RecordACEPushStep(ctx, id, postgres.ACEPushStep{ForgetCreate: true}); err != nil {
				return false, err
			}
		}
		s.log().Warn("ace push refused by ACE", "ace_record_id", id, "operation", op, "reason", verr.Reason,
			"fields", len(verr.ErrorList))
		return true, s.DB.SetACELinkError(ctx, id, &acesync.SyncError{Code: acesync.SyncACEValidation, Fields: verr.FieldErrors(),
			Message: "ACE refused the record (" + verr.Reason + "): fix the fields listed and it is sent again"})
	}
	if errors.As(err, new(*pc.ResourceNotFoundException)) || errors.Is(err, errBadOpportunityID) {
		return true, s.DB.SetACELinkError(ctx, id, &acesync.SyncError{Code: acesync.SyncNotFound,
			Message: "ACE no longer knows the opportunity this record is linked to"})
	}
	if errors.As(err, new(*pc.ConflictException)) {
		if op == "CreateOpportunity" {
			// The record id was used as a ClientToken with another body:
			// an earlier create went through and its answer was lost. The
			// poll finds that opportunity by its PartnerOpportunityIdentifier.
			if err := s.DB.RecordACEPushStep(ctx, id, postgres.ACEPushStep{ForgetCreate: true}); err != nil {
				return false, err
			}
		}
		_ = s.DB.SetACELinkError(ctx, id, &acesync.SyncError{Code: acesync.SyncConflict,
			Message: "the opportunity changed in ACE while the sync sent the record; it is read and sent again"})
		return false, errRetry{err}
	}
	f := Classify(err)
	if f.ConnectionFault() || f.Kind == FailQuota {
		if _, cerr := s.DB.RecordACEConnectionCheck(ctx, it.Connection.ID, f.Kind, f.Message); cerr != nil {
			return false, cerr
		}
	}
	code := acesync.SyncConnection
	if f.Retryable {
		code = acesync.SyncRetrying
	}
	s.log().Warn("ace push failed", "ace_record_id", id, "operation", op, "failure", f.Kind, "aws_code", f.AWSCode)
	if err := s.DB.SetACELinkError(ctx, id, &acesync.SyncError{Code: code, Message: f.Message}); err != nil {
		return false, err
	}
	if f.Retryable {
		return false, errRetry{err}
	}
	// The connection must be fixed first; saving it again pushes the
	// record again.
	return false, nil
}

// PullResult is what one poll of a connection did.
type PullResult struct {
	Listed  int
	Applied int
	Moves   int
	Pushed  int
}

// Pull polls one connection: every opportunity created or updated in ACE
// since the cursor (the latest LastModifiedDate read before) is matched to
// its linked record, and AWS's review status and stage are applied
// (postgres.ApplyACEOpportunity, acesync.Decide). The cursor then moves to
// the latest LastModifiedDate read. Records still waiting for a push (an
// edit held back by a review, a push stopped by throttling or a broken
// connection) are pushed again. A failure that may pass returns an error.
func (s *Syncer) Pull(ctx context.Context, connectionID string) (PullResult, error) {
	var res PullResult
	conn, err := s.DB.ACEConnection(ctx, connectionID)
	if domain.ErrorCode(err) == domain.ECodeNotFound {
		return res, nil
	}
	if err != nil {
		return res, err
	}
	client, err := s.Conn.Client(conn)
	if err == nil {
		var since time.Time
		if conn.PollCursor != nil {
			since = *conn.PollCursor
		}
		var sums []pc.OpportunitySummary
		sums, err = client.ListOpportunitiesModifiedSince(ctx, conn.Catalog, since)
		if err == nil {
			if _, err := s.DB.RecordACEConnectionCheck(ctx, conn.ID, "", ""); err != nil {
				return res, err
			}
			if err := s.apply(ctx, conn, sums, &res); err != nil {
				return res, err
			}
		}
	}
	if err != nil {
		f := Classify(err)
		if _, cerr := s.DB.RecordACEConnectionCheck(ctx, conn.ID, f.Kind, f.Message); cerr != nil {
			return res, cerr
		}
		s.log().Warn("ace poll failed", "ace_connection", conn.ID, "failure", f.Kind, "aws_code", f.AWSCode)
		if f.Retryable {
			return res, errRetry{err}
		}
		return res, nil
	}
	ids, err := s.DB.ACEPendingPushes(ctx, conn.PartnerID, 100)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		if err := s.Push(ctx, id); err != nil {
			// The record's own task retries it; the poll goes on.
			s.log().Info("ace push from the poll did not finish", "ace_record_id", id, "err", err.Error())
			continue
		}
		res.Pushed++
	}
	return res, nil
}

// apply applies the listed summaries, then moves the cursor.
func (s *Syncer) apply(ctx context.Context, conn postgres.ACEConnection, sums []pc.OpportunitySummary, res *PullResult) error {
	var latest *time.Time
	for _, sum := range sums {
		res.Listed++
		if sum.LastModifiedDate != nil && (latest == nil || sum.LastModifiedDate.After(*latest)) {
			t := *sum.LastModifiedDate
			latest = &t
		}
		recordID, ok, err := s.DB.ACELinkedRecord(ctx, conn.PartnerID, conn.Catalog, sum.Id, sum.PartnerOpportunityIdentifier)
		if err != nil {
			return err
		}
		if !ok {
			continue // an opportunity CloudRoute did not file
		}
		out, err := s.DB.ApplyACEOpportunity(ctx, recordID, sum)
		if err != nil {
			// The cursor stays, so the next poll applies it again.
			return fmt.Errorf("ace poll: apply %s to record %s: %w", sum.Id, recordID, err)
		}
		res.Applied++
		res.Moves += len(out.Moves)
		if len(out.Moves) > 0 || out.Finding != "" {
			s.log().Info("ace opportunity applied", "ace_record_id", recordID, "opportunity_id", sum.Id, "moves", out.Moves,
				"finding", out.Finding)
		}
	}
	return s.DB.AdvanceACEPollCursor(ctx, conn.ID, latest)
}

// PollAll polls every connection, once per period (a minute) whatever the
// number of schedulers; an empty period claims nothing and always runs.
// One connection's failure does not stop the others; it is recorded on
// its health. It reports whether it ran.
func (s *Syncer) PollAll(ctx context.Context, period string) (bool, error) {
	if period != "" {
		ok, err := s.DB.ClaimACEPollPeriod(ctx, period)
		if err != nil || !ok {
			return false, err
		}
	}
	ids, err := s.DB.ACEConnectionIDs(ctx)
	if err != nil {
		return true, err
	}
	for _, id := range ids {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		if _, err := s.Pull(cctx, id); err != nil {
			s.log().Warn("ace poll of a connection failed; the next period tries again", "ace_connection", id, "err", err.Error())
		}
		cancel()
	}
	return true, nil
}
