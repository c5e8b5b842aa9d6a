package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cloudroute/cloudroute/internal/aceconnect"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/tasks"
	"github.com/cloudroute/cloudroute/internal/webhook"
)

// Handlers holds every task handler. Each is safe to run twice: asynq
// delivers at least once.
type Handlers struct {
	DB  *postgres.DB
	Log *slog.Logger
	// notify sends mails, hooks delivers webhooks and enqueue adds the
	// delivery tasks a webhook fan-out makes; NewWorker sets them.
	notify  *notifier
	hooks   *webhook.Client
	enqueue *asynq.Client
	// ACE runs the ACE sync; nil when the worker has no connector.
	ACE *aceconnect.Syncer
}

func (h *Handlers) register(mux *asynq.ServeMux) {
	mux.HandleFunc(tasks.TypeRouteIntake, h.RouteIntake)
	mux.HandleFunc(tasks.TypeExpireOffer, h.ExpireOffer)
	mux.HandleFunc(tasks.TypeSweepOffers, h.SweepOffers)
	mux.HandleFunc(tasks.TypeUpdateIndex, h.UpdateIndex)
	mux.HandleFunc(tasks.TypeRebuildIndex, h.RebuildIndex)
	mux.HandleFunc(tasks.TypeDrainUnroutable, h.DrainUnroutable)
	mux.HandleFunc(tasks.TypePurgeIdempotency, h.PurgeIdempotency)
	mux.HandleFunc(tasks.TypeAccrueCommission, h.AccrueCommission)
	mux.HandleFunc(tasks.TypeCloseStatements, h.CloseStatements)
	mux.HandleFunc(tasks.TypeSweepAccruals, h.SweepAccruals)
	mux.HandleFunc(tasks.TypeHygieneScan, h.HygieneScan)
	mux.HandleFunc(tasks.TypeWriteSnapshots, h.WriteSnapshots)
	mux.HandleFunc(tasks.TypeRemindOffer, h.RemindOffer)
	mux.HandleFunc(tasks.TypeSendMail, h.SendMail)
	mux.HandleFunc(tasks.TypeNoteForAdmins, h.NoteForAdmins)
	mux.HandleFunc(tasks.TypeAdminDigest, h.AdminDigest)
	mux.HandleFunc(tasks.TypeHygieneDigest, h.HygieneDigest)
	mux.HandleFunc(tasks.TypeWebhookFanout, h.WebhookFanout)
	mux.HandleFunc(tasks.TypeDeliverWebhook, h.DeliverWebhook)
	mux.HandleFunc(tasks.TypeACEPush, h.ACEPush)
	mux.HandleFunc(tasks.TypeACEPull, h.ACEPull)
	mux.HandleFunc(tasks.TypeACEPoll, h.ACEPoll)
}

// RouteIntake routes one intake, or several in one transaction
// (intake:route). An intake that no longer waits for routing is skipped.
func (h *Handlers) RouteIntake(ctx context.Context, t *asynq.Task) error {
	var p tasks.RouteIntake
	if err := decode(t, &p); err != nil {
		return err
	}
	// The batch is filled up with other intakes waiting to be routed
	// (postgres.RouteWaiting), so routing that falls behind catches up in
	// larger batches.
	results, err := h.DB.RouteWaiting(ctx, append(p.IntakeIDs, p.IntakeID), p.Trigger)
	if err != nil {
		return permanent(err)
	}
	if len(p.IntakeIDs) == 0 && !slices.ContainsFunc(results, func(r postgres.RouteResult) bool { return r.IntakeID == p.IntakeID }) {
		return permanent(domain.NotFound())
	}
	routed := 0
	for _, res := range results {
		if res.Outcome == "" {
			continue
		}
		routed++
		h.Log.Info("intake routed", "intake_id", res.IntakeID, "trigger", p.Trigger, "outcome", res.Outcome,
			"partner_id", res.PartnerID, "decision_id", res.DecisionID)
	}
	if routed == 0 {
		return errSkipped
	}
	return nil
}

// ExpireOffer expires one offer at its deadline (assignment:expire).
func (h *Handlers) ExpireOffer(ctx context.Context, t *asynq.Task) error {
	var p tasks.ExpireOffer
	if err := decode(t, &p); err != nil {
		return err
	}
	ok, err := h.DB.ExpireAssignment(ctx, p.AssignmentID)
	if err != nil {
		return permanent(err)
	}
	if !ok {
		return errSkipped
	}
	h.Log.Info("offer expired", "assignment_id", p.AssignmentID)
	return nil
}

// RemindOffer writes the reminder of an offer still unanswered at its
// reminder time (assignment:remind): the assignment.expiring event, whose
// effects tell the partner. An offer answered meanwhile, or reminded
// already, is skipped.
func (h *Handlers) RemindOffer(ctx context.Context, t *asynq.Task) error {
	var p tasks.RemindOffer
	if err := decode(t, &p); err != nil {
		return err
	}
	ok, err := h.DB.RemindOffer(ctx, p.AssignmentID)
	if err != nil {
		return permanent(err)
	}
	if !ok {
		return errSkipped
	}
	h.Log.Info("offer reminder due", "assignment_id", p.AssignmentID)
	return nil
}

// SweepOffers expires every overdue offer and writes every due reminder
// (assignment:sweep), so an expiry or reminder task lost by Redis still
// happens within a minute of its time.
func (h *Handlers) SweepOffers(ctx context.Context, t *asynq.Task) error {
	ids, err := h.DB.OverdueOffers(ctx, 500)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := h.DB.ExpireAssignment(ctx, id); err != nil {
			return err
		}
	}
	due, err := h.DB.DueReminders(ctx, 500)
	if err != nil {
		return err
	}
	for _, id := range due {
		if _, err := h.DB.RemindOffer(ctx, id); err != nil {
			return err
		}
	}
	if len(ids)+len(due) == 0 {
		return errSkipped
	}
	return nil
}

// UpdateIndex recomputes one partner's index cells (index:update).
func (h *Handlers) UpdateIndex(ctx context.Context, t *asynq.Task) error {
	var p tasks.UpdateIndex
	if err := decode(t, &p); err != nil {
		return err
	}
	return permanent(h.DB.UpdatePartnerIndex(ctx, p.PartnerID))
}

// RebuildIndex rebuilds the whole index (index:rebuild). The nightly run
// claims its UTC date so it runs once a night whatever the number of
// schedulers; a rebuild asked for by a settings change names no period and
// always runs.
func (h *Handlers) RebuildIndex(ctx context.Context, t *asynq.Task) error {
	var p tasks.Periodic
	if err := decode(t, &p); err != nil {
		return err
	}
	start := time.Now()
	if t.ResultWriter() != nil && isScheduled(t) {
		ok, err := h.DB.RebuildIndexForPeriod(ctx, h.DB.Now().UTC().Format("2006-01-02"))
		if err != nil {
			return err
		}
		if !ok {
			return errSkipped
		}
	} else if err := h.DB.RebuildIndex(ctx); err != nil {
		return err
	}
	h.Log.Info("routing index rebuilt", "duration_ms", time.Since(start).Milliseconds())
	return nil
}

// isScheduled reports whether the task came from the periodic scheduler
// rather than from an event in the outbox, whose effects have task ids
// "evt-<event id>-<effect>" (or "outbox:<id>" for rows written before the
// outbox held events).
func isScheduled(t *asynq.Task) bool {
	id := t.ResultWriter().TaskID()
	return !strings.HasPrefix(id, "evt-") && !strings.HasPrefix(id, "outbox:")
}

// DrainUnroutable routes the unroutable intakes again, oldest first
// (routing:drain). Each stays unroutable if still nobody fits.
func (h *Handlers) DrainUnroutable(ctx context.Context, t *asynq.Task) error {
	ids, err := h.DB.UnroutableIntakes(ctx, 500)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errSkipped
	}
	routed := 0
	for _, id := range ids {
		res, err := h.DB.RouteIntake(ctx, id, "drain")
		if err != nil {
			return fmt.Errorf("drain %s: %w", id, err)
		}
		if res.Outcome == "offered" || res.Outcome == "pending_review" {
			routed++
		}
	}
	if routed > 0 {
		h.Log.Info("unroutable queue drained", "routed", routed, "waiting", len(ids)-routed)
	}
	return nil
}

// PurgeIdempotency forgets idempotency keys past their 24 hours, sent
// outbox rows older than a week, and access tokens sealed for a receipt
// that never went out.
func (h *Handlers) PurgeIdempotency(ctx context.Context, t *asynq.Task) error {
	if err := h.DB.PurgeIdempotencyKeys(ctx); err != nil {
		return err
	}
	if err := h.DB.PurgeReceiptTokens(ctx); err != nil {
		return err
	}
	return h.DB.PurgeSentOutbox(ctx, 7*24*time.Hour)
}

// AccrueCommission writes one closed record's ledger entry
// (commission:accrue); a second delivery finds it written and skips.
func (h *Handlers) AccrueCommission(ctx context.Context, t *asynq.Task) error {
	var p tasks.AccrueCommission
	if err := decode(t, &p); err != nil {
		return err
	}
	wrote, err := h.DB.AccrueCommission(ctx, postgres.Accrual{RecordID: p.ACERecordID, CommissionBPS: p.CommissionBPS, ClosedAt: p.ClosedAt})
	if err != nil {
		return permanent(err)
	}
	if !wrote {
		return errSkipped
	}
	h.Log.Info("commission accrued", "ace_record_id", p.ACERecordID)
	return nil
}

// CloseStatements closes the previous UTC month's statements
// (statements:close), once per month.
func (h *Handlers) CloseStatements(ctx context.Context, t *asynq.Task) error {
	n, claimed, err := h.DB.CloseMonth(ctx)
	if err != nil {
		return err
	}
	if !claimed {
		return errSkipped
	}
	h.Log.Info("monthly statements closed", "statements", n)
	return nil
}

// HygieneScan raises and clears the pipeline-hygiene flags (hygiene:scan).
// The scheduled run claims its UTC date, so it runs once a day however
// many schedulers enqueue it.
func (h *Handlers) HygieneScan(ctx context.Context, t *asynq.Task) error {
	period := ""
	if t.ResultWriter() != nil && isScheduled(t) {
		period = h.DB.Now().UTC().Format("2006-01-02")
	}
	raised, cleared, ran, err := h.DB.ScanHygiene(ctx, period)
	if err != nil {
		return err
	}
	if !ran {
		return errSkipped
	}
	h.Log.Info("hygiene scan", "raised", raised, "cleared", cleared)
	return nil
}

// WriteSnapshots writes the month's partner snapshots once
// (snapshots:write), when a UTC month ends.
func (h *Handlers) WriteSnapshots(ctx context.Context, t *asynq.Task) error {
	n, ran, err := h.DB.WriteSnapshots(ctx)
	if err != nil {
		return err
	}
	if !ran {
		return errSkipped
	}
	h.Log.Info("monthly snapshots written", "partners", n)
	return nil
}

// SweepAccruals accrues closed records whose accrual task was lost
// (commission:sweep): Redis can lose an enqueued task in a crash, and
// nothing else would enqueue it again. Accrual is idempotent.
func (h *Handlers) SweepAccruals(ctx context.Context, t *asynq.Task) error {
	ids, err := h.DB.UnaccruedRecords(ctx, h.DB.Now().Add(-time.Minute), 500)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errSkipped
	}
	for _, id := range ids {
		if _, err := h.DB.AccrueCommission(ctx, postgres.Accrual{RecordID: id}); err != nil {
			return err
		}
	}
	h.Log.Warn("accruals recovered by the sweep", "records", len(ids))
	return nil
}

// ACEPush brings one linked record's ACE opportunity up to date
// (ace:push). What the partner must fix is kept on the record and not
// retried; throttling, ACE's failures and a push already running are
// retried with asynq's backoff.
func (h *Handlers) ACEPush(ctx context.Context, t *asynq.Task) error {
	var p tasks.ACEPush
	if err := decode(t, &p); err != nil {
		return err
	}
	if h.ACE == nil {
		return errSkipped
	}
	return h.ACE.Push(ctx, p.ACERecordID)
}

// ACEPull polls one ACE connection now (ace:pull): a connection saved, or
// an event forwarded from the partner's EventBridge.
func (h *Handlers) ACEPull(ctx context.Context, t *asynq.Task) error {
	var p tasks.ACEPull
	if err := decode(t, &p); err != nil {
		return err
	}
	if h.ACE == nil {
		return errSkipped
	}
	res, err := h.ACE.Pull(ctx, p.ConnectionID)
	if err == nil && res.Applied+res.Pushed > 0 {
		h.Log.Info("ace connection polled", "ace_connection", p.ConnectionID, "listed", res.Listed, "applied", res.Applied,
			"moves", res.Moves, "pushed", res.Pushed)
	}
	return err
}

// ACEPoll polls every ACE connection (ace:poll), once a minute: the
// fallback that always works, whether or not events are forwarded. The
// scheduled run claims its minute, so it runs once however many
// schedulers enqueue it.
func (h *Handlers) ACEPoll(ctx context.Context, t *asynq.Task) error {
	if h.ACE == nil {
		return errSkipped
	}
	period := ""
	if t.ResultWriter() != nil && isScheduled(t) {
		period = h.DB.Now().UTC().Format("2006-01-02T15:04")
	}
	ran, err := h.ACE.PollAll(ctx, period)
	if err != nil {
		return err
	}
	if !ran {
		return errSkipped
	}
	return nil
}
