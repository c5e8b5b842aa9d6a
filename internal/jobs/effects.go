package jobs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/tasks"
)

// Effect is one task that an event sets off.
type Effect struct {
	// Name says what the effect does (route, expire, index, drain, accrue,
	// rebuild); it is unique among one event's effects.
	Name string
	// TaskID is "evt-<event id>-<name>": the relay enqueues the effect under
	// it, so an event relayed twice still runs each effect once (asynq
	// refuses a second task with the same id while the first is queued or
	// retained).
	TaskID string
	Task   *asynq.Task
	Queue  string
	// ProcessAt is when the task is due; zero means at once.
	ProcessAt time.Time
}

// Options are the asynq options the relay enqueues the effect with.
func (e Effect) Options() []asynq.Option {
	if e.Task.Type() == tasks.TypeDeliverWebhook {
		return deliveryOptions(e.TaskID)
	}
	opts := []asynq.Option{asynq.TaskID(e.TaskID), asynq.Queue(e.Queue), asynq.MaxRetry(25), asynq.Retention(24 * time.Hour)}
	if !e.ProcessAt.IsZero() {
		opts = append(opts, asynq.ProcessAt(e.ProcessAt))
	}
	return opts
}

// job is the task one effect asks for: its type and payload, when it is
// due (zero: now), and, for the outbox's old rows only, the task id it had.
type job struct {
	taskType string
	payload  any
	at       time.Time
	id       string
}

// rule is one row of the effects table: an effect's name, and the job it
// asks for on an event's payload; nil when the effect does not apply to
// this event (a record move that decides nothing updates no index).
type rule struct {
	name string
	job  func(events.Event, events.Payload) *job
}

// on makes a rule for events of payload type P.
func on[P events.Payload](name string, f func(P) *job) rule {
	return rule{name: name, job: func(_ events.Event, p events.Payload) *job { return f(p.(P)) }}
}

// withEvent makes a rule whose task works on the whole event: its id (the
// key of every mail and webhook it causes), kind, time and payload.
func withEvent(name, taskType string) rule {
	return rule{name: name, job: func(e events.Event, _ events.Payload) *job {
		return &job{taskType: taskType, payload: tasks.Event{ID: e.ID, Kind: e.Kind, Subject: e.Subject, Payload: e.Payload,
			OccurredAt: e.OccurredAt.UTC()}}
	}}
}

// The notification effects (docs/notifications.md): the event's mails
// (notify.go says who gets what), its webhooks to the partner concerned
// (one task per endpoint, webhooks.go), and the note for the admin digest.
var (
	mailEffect    = withEvent("mail", tasks.TypeSendMail)
	webhookEffect = withEvent("webhook", tasks.TypeWebhookFanout)
	digestEffect  = withEvent("digest", tasks.TypeNoteForAdmins)
)

func route(intakeID, trigger string) *job {
	return &job{taskType: tasks.TypeRouteIntake, payload: tasks.RouteIntake{IntakeID: intakeID, Trigger: trigger}}
}

func updateIndex(partnerID string) *job {
	return &job{taskType: tasks.TypeUpdateIndex, payload: tasks.UpdateIndex{PartnerID: partnerID}}
}

func acePush(recordID string) *job {
	return &job{taskType: tasks.TypeACEPush, payload: tasks.ACEPush{ACERecordID: recordID}}
}

func acePull(connectionID string) *job {
	return &job{taskType: tasks.TypeACEPull, payload: tasks.ACEPull{ConnectionID: connectionID}}
}

func drain(reason string) *job {
	return &job{taskType: tasks.TypeDrainUnroutable, payload: tasks.DrainUnroutable{Reason: reason}}
}

// effects is what each kind of event sets off: the one place where an
// event becomes work. A kind absent here (assignment.declined's partner is
// told nothing, it declined) sets off nothing.
var effects = map[string][]rule{
	events.KindIntakeReceived: {
		on("route", func(p events.IntakeReceived) *job { return route(p.IntakeID, "submitted") }),
		// The founder's receipt, with the private status link.
		mailEffect,
	},
	events.KindIntakeUnroutable:    {digestEffect},
	events.KindIntakePendingReview: {digestEffect},
	events.KindAssignmentOffered: {
		// The expiry is due at the deadline; the sweep is its backstop.
		on("expire", func(p events.AssignmentOffered) *job {
			return &job{taskType: tasks.TypeExpireOffer, payload: tasks.ExpireOffer{AssignmentID: p.AssignmentID}, at: p.ExpiresAt}
		}),
		// The reminder is due at its share of the TTL; it writes nothing
		// for an offer answered by then, and the sweep is its backstop.
		on("remind", func(p events.AssignmentOffered) *job {
			if p.RemindAt == nil {
				return nil
			}
			return &job{taskType: tasks.TypeRemindOffer, payload: tasks.RemindOffer{AssignmentID: p.AssignmentID}, at: *p.RemindAt}
		}),
		mailEffect,
		webhookEffect,
	},
	events.KindAssignmentExpiring: {mailEffect, webhookEffect},
	events.KindAssignmentAccepted: {
		// The founders learn their partner; the partner's systems get the
		// customer.
		mailEffect,
		webhookEffect,
	},
	// A declined or expired offer counts against the partner's
	// responsiveness (the index's partner stats), sends the intake to the
	// next partner, and frees the partner's slot for the unroutable queue.
	events.KindAssignmentDeclined: {
		on("index", func(p events.AssignmentDeclined) *job { return updateIndex(p.PartnerID) }),
		on("route", func(p events.AssignmentDeclined) *job { return route(p.IntakeID, "declined") }),
		on("drain", func(events.AssignmentDeclined) *job { return drain("capacity_freed") }),
	},
	events.KindAssignmentExpired: {
		on("index", func(p events.AssignmentExpired) *job { return updateIndex(p.PartnerID) }),
		on("route", func(p events.AssignmentExpired) *job { return route(p.IntakeID, "expired") }),
		on("drain", func(events.AssignmentExpired) *job { return drain("capacity_freed") }),
		mailEffect,
		webhookEffect,
	},
	events.KindAssignmentReleased: {
		on("route", func(p events.AssignmentReleased) *job { return route(p.IntakeID, "released") }),
		on("drain", func(events.AssignmentReleased) *job { return drain("capacity_freed") }),
		// The founders are told a new partner is sought.
		mailEffect,
		webhookEffect,
	},
	events.KindIntakeWithdrawn: {
		on("drain", func(events.IntakeWithdrawn) *job { return drain("intake_withdrawn") }),
	},
	events.KindIntakeClosed: {
		on("drain", func(events.IntakeClosed) *job { return drain("capacity_freed") }),
	},
	events.KindRecordTransitioned: {
		// A decided outcome changes the partner's close rate.
		on("index", func(p events.RecordTransitioned) *job {
			if p.Outcome == "" {
				return nil
			}
			return updateIndex(p.PartnerID)
		}),
		// Commission is earned when a record with an award closes (SPEC §3
		// "Commission"), at the rate of that moment.
		on("accrue", func(p events.RecordTransitioned) *job {
			if p.To != ace.StateClosed || p.ApprovedUSD <= 0 {
				return nil
			}
			payload := tasks.AccrueCommission{ACERecordID: p.RecordID, CommissionBPS: p.CommissionBPS}
			if p.ClosedAt != nil {
				payload.ClosedAt = *p.ClosedAt
			}
			return &job{taskType: tasks.TypeAccrueCommission, payload: payload}
		}),
		webhookEffect,
		// A linked record the partner submits is submitted to ACE. AWS's
		// own moves, applied from ACE, send nothing back.
		on("ace_push", func(p events.RecordTransitioned) *job {
			if !p.ACELinked || p.To != ace.StateSubmitted || p.ActorRole == domain.RoleAWS {
				return nil
			}
			return acePush(p.RecordID)
		}),
	},
	events.KindPipelineFlagsRaised: {
		// Daily to the partner's systems; its staff get the weekly digest
		// instead (a periodic task), not a mail a day.
		webhookEffect,
	},
	events.KindStatementInvoiced: {mailEffect, webhookEffect},
	events.KindStatementPaid:     {webhookEffect},
	events.KindWebhookEndpointDisabled: {
		// The partner's staff are told, to enable it again.
		mailEffect,
	},
	events.KindWebhookRedeliveryRequested: {
		// One more delivery of the event to the endpoint, under the same
		// webhook-id, retried like the first.
		on("redeliver", func(p events.WebhookRedeliveryRequested) *job {
			return &job{taskType: tasks.TypeDeliverWebhook, payload: tasks.DeliverWebhook{EventID: p.EventID, EndpointID: p.EndpointID,
				Manual: true}}
		}),
	},
	// The ACE sync: a linked or edited record is pushed to ACE; a saved
	// connection, or a forwarded event, polls ACE now (and pushes what
	// waited for the connection).
	events.KindRecordLinked: {
		on("ace_push", func(p events.RecordLinked) *job { return acePush(p.RecordID) }),
	},
	events.KindRecordEdited: {
		on("ace_push", func(p events.RecordEdited) *job { return acePush(p.RecordID) }),
	},
	events.KindACEConnectionSaved: {
		on("ace_pull", func(p events.ACEConnectionSaved) *job { return acePull(p.ConnectionID) }),
	},
	events.KindACEConnectionPinged: {
		on("ace_pull", func(p events.ACEConnectionPinged) *job { return acePull(p.ConnectionID) }),
	},
	events.KindPartnerCreated: {
		// A partner who can take offers is new routing room (SPEC §3
		// routing 5: "a partner is added"); a paused or unroutable one is not.
		on("drain", func(p events.PartnerCreated) *job {
			if p.Status != "active" || !domain.IsRoutableTier(p.Tier) {
				return nil
			}
			return drain("partner_added")
		}),
	},
	events.KindPartnerUpdated: {
		// Any change may open room (unpaused, more capacity, fewer
		// exclusions, new regions or tier); a drain that finds none is cheap.
		on("drain", func(events.PartnerUpdated) *job { return drain("partner_updated") }),
	},
	events.KindSettingsChanged: {
		// The window decides which outcomes count: the whole index changes.
		on("rebuild", func(p events.SettingsChanged) *job {
			if !changed(p, "window_days") {
				return nil
			}
			return &job{taskType: tasks.TypeRebuildIndex, payload: tasks.Periodic{}}
		}),
		// A longer window, a lower threshold or the routing mode can each
		// route an intake that waited.
		on("drain", func(p events.SettingsChanged) *job {
			if !changed(p, "window_days", "close_rate_threshold", "routing_mode") {
				return nil
			}
			return drain("settings_changed")
		}),
	},
	events.KindTrackRecordImported: {
		on("index", func(p events.TrackRecordImported) *job { return updateIndex(p.PartnerID) }),
	},
	events.KindRoutingIndexChanged: {
		on("drain", func(events.RoutingIndexChanged) *job { return drain("index_changed") }),
	},
	// A row from before the outbox held events is the task it named, under
	// the id the relay gave it then (migrations/0014_outbox_events.sql).
	events.KindOutboxTask: {
		on("task", func(p events.OutboxTask) *job {
			j := &job{taskType: p.TaskType, payload: p.Payload, id: "outbox:" + strconv.FormatInt(p.OutboxID, 10)}
			if p.ProcessAt != nil {
				j.at = *p.ProcessAt
			}
			return j
		}),
	},
}

// changed reports whether the settings change names any of fields.
func changed(p events.SettingsChanged, fields ...string) bool {
	for _, f := range p.Fields {
		if domain.OneOf(f, fields) {
			return true
		}
	}
	return false
}

// Effects returns the tasks event e sets off, in the order of the effects
// table. It returns events.ErrUnknownKind (wrapped) for a kind this build
// does not know, and another error for a payload that cannot be read.
func Effects(e events.Event) ([]Effect, error) {
	p, err := events.Decode(e)
	if err != nil {
		return nil, err
	}
	var out []Effect
	for _, r := range effects[e.Kind] {
		j := r.job(e, p)
		if j == nil {
			continue
		}
		payload, ok := j.payload.(json.RawMessage)
		if !ok {
			if payload, err = json.Marshal(j.payload); err != nil {
				return nil, fmt.Errorf("event %s (%s): effect %s: %w", e.ID, e.Kind, r.name, err)
			}
		}
		id := j.id
		if id == "" {
			id = "evt-" + e.ID + "-" + r.name
		}
		q, ok := queueOf[j.taskType]
		if !ok {
			q = QueueDefault
		}
		out = append(out, Effect{Name: r.name, TaskID: id, Task: asynq.NewTask(j.taskType, payload), Queue: q, ProcessAt: j.at})
	}
	return out, nil
}
