package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/mail"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/tasks"
)

// AdminDigestPeriod is how often, at most, admins get the digest of the
// intakes that need them.
const AdminDigestPeriod = 15 * time.Minute

// NoteForAdmins notes an unroutable intake, or a proposal waiting for
// review, for the next admin digest (mail:admin_note). Noting one event
// twice notes it once.
func (h *Handlers) NoteForAdmins(ctx context.Context, t *asynq.Task) error {
	var te tasks.Event
	if err := decode(t, &te); err != nil {
		return err
	}
	p, err := events.Decode(events.Event{ID: te.ID, Kind: te.Kind, Subject: te.Subject, Payload: te.Payload})
	if err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	it := postgres.AdminDigestItem{EventID: te.ID, Kind: te.Kind, OccurredAt: te.OccurredAt}
	switch p := p.(type) {
	case events.IntakeUnroutable:
		it.IntakeID = p.IntakeID
	case events.IntakePendingReview:
		it.IntakeID, it.PartnerID = p.IntakeID, p.PartnerID
	default:
		return fmt.Errorf("%s is not for the admin digest: %w", te.Kind, asynq.SkipRetry)
	}
	return permanent(h.DB.AddAdminDigestItem(ctx, it))
}

// AdminDigest mails the admins (ADMIN_EMAIL) the intakes noted since the
// last digest (mail:admin_digest, every 15 minutes). Each period gathers
// its items once (the period claim); a digest whose mails did not all go
// out is sent again by the next run, to the admins who lack it, whatever
// period that run falls in. Without admins the items are let go.
func (h *Handlers) AdminDigest(ctx context.Context, t *asynq.Task) error {
	n := h.notify
	period := h.DB.Now().UTC().Truncate(AdminDigestPeriod).Format("2006-01-02T15:04Z")
	if _, err := h.DB.GatherAdminDigest(ctx, period); err != nil {
		return err
	}
	digests, err := h.DB.PendingAdminDigests(ctx)
	if err != nil {
		return err
	}
	if len(digests) == 0 {
		return errSkipped
	}
	var errs []error
	for _, d := range digests {
		if len(d.Unroutable)+len(d.PendingReview) > 0 && len(n.admins) > 0 {
			lines := func(ls []postgres.AdminDigestLine) []mail.IntakeLine {
				out := make([]mail.IntakeLine, len(ls))
				for i, l := range ls {
					note := "no partner fits it yet"
					if l.PartnerName != nil {
						note = "proposed: " + *l.PartnerName
					}
					out[i] = mail.IntakeLine{CompanyName: l.CompanyName, SubmittedAt: l.SubmittedAt, Note: note,
						URL: n.links.adminIntake(l.IntakeID)}
				}
				return out
			}
			to := make([]mail.Address, len(n.admins))
			for i, a := range n.admins {
				to[i] = mail.Address{Email: a}
			}
			err := n.sendAll(ctx, "admin-digest:"+d.ID, to, func(a mail.Address) mail.Content {
				return mail.AdminDigest{Since: d.Since, Unroutable: lines(d.Unroutable), PendingReview: lines(d.PendingReview),
					ConsoleURL: n.links.adminConsole(), UnsubscribeURL: n.unsubscribeURL(a.Email, mail.TopicDigests)}
			})
			if err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if err := h.DB.AdminDigestSent(ctx, d.ID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// HygieneDigest mails each partner with open hygiene flags its weekly
// digest (mail:hygiene_digest, Mondays). The mail of a partner and ISO
// week is sent once however often the task runs that week.
func (h *Handlers) HygieneDigest(ctx context.Context, t *asynq.Task) error {
	n := h.notify
	now := h.DB.Now().UTC()
	year, week := now.ISOWeek()
	monday := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
	all, err := h.DB.OpenFlagsByPartner(ctx)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return errSkipped
	}
	var errs []error
	for _, pf := range all {
		partner, to, err := n.partnerRecipients(ctx, pf.PartnerID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		flags := make([]mail.HygieneFlag, len(pf.Flags))
		for i, f := range pf.Flags {
			u := n.links.pipeline()
			switch {
			case f.ACERecordID != nil:
				u = n.links.record(*f.ACERecordID)
			case f.AssignmentID != nil:
				u = n.links.offer(*f.AssignmentID)
			}
			flags[i] = mail.HygieneFlag{CompanyName: f.CompanyName, Flag: f.Kind, URL: u}
		}
		eventID := fmt.Sprintf("hygiene-digest:%d-W%02d:%s", year, week, pf.PartnerID)
		if err := n.sendAll(ctx, eventID, to, func(r mail.Address) mail.Content {
			return mail.HygieneDigest{RecipientName: r.Name, PartnerName: partner.Name, WeekOf: monday, Flags: flags,
				PipelineURL: n.links.pipeline(), UnsubscribeURL: n.unsubscribeURL(r.Email, mail.TopicDigests)}
		}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
