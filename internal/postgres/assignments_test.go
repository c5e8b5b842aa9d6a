package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// admin is an admin acting on storage.
var admin = domain.Principal{Role: domain.RoleAdmin}

// founder is the founder of an intake, acting with its access token.
func founder(intakeID string) domain.Principal {
	return domain.Principal{Role: domain.RoleFounder, IntakeID: intakeID}
}

// offerTTL is the default offer_ttl_hours.
const offerTTL = 48 * time.Hour

// assignmentState is what an assignment's row says, for comparisons.
type assignmentState struct {
	Status    string
	EndReason string
	Ended     bool
}

func (e *env) assignment(id string) assignmentState {
	e.t.Helper()
	var a struct {
		Status    string     `db:"status"`
		EndReason *string    `db:"end_reason"`
		EndedAt   *time.Time `db:"ended_at"`
	}
	e.get(&a, `SELECT status, end_reason, ended_at FROM assignments WHERE id = $1`, id)
	s := assignmentState{Status: a.Status, Ended: a.EndedAt != nil}
	if a.EndReason != nil {
		s.EndReason = *a.EndReason
	}
	return s
}

func (e *env) intakeStatus(id string) string {
	e.t.Helper()
	var s string
	e.get(&s, `SELECT status FROM intakes WHERE id = $1`, id)
	return s
}

func (e *env) openAssignments(partnerID string) int {
	e.t.Helper()
	return e.count(`SELECT open_assignments FROM partners WHERE id = $1`, partnerID)
}

func TestAcceptAssignment(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	a, b := e.partner("Alpha"), e.partner("Beta")
	intakeID, asg := e.offered(a)

	t.Run("not the partner's", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.AcceptAssignment(e.ctx, b.ID, asg)
		wantCode(t, "another partner accepts", err, domain.ECodeNotFound)
		_, err = e.db.AcceptAssignment(e.ctx, a.ID, "nope")
		wantCode(t, "malformed id", err, domain.ECodeNotFound)
	})
	t.Run("accepted", func(t *testing.T) {
		e := e.in(t)
		e.setClock(t0.Add(time.Hour))
		got, err := e.db.AcceptAssignment(e.ctx, a.ID, asg)
		must(t, "accept", err)
		if got.Status != postgres.AssignmentAccepted || got.AcceptedAt == nil || !got.AcceptedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("assignment %+v, want accepted at %s", got, t0.Add(time.Hour))
		}
		if s := e.intakeStatus(intakeID); s != postgres.IntakeEngaged {
			t.Errorf("intake is %s, want engaged", s)
		}
		if n := e.openAssignments(a.ID); n != 1 {
			t.Errorf("Alpha counts %d open assignments, want 1", n)
		}
	})
	t.Run("twice", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.AcceptAssignment(e.ctx, a.ID, asg)
		wantCode(t, "accept again", err, domain.ECodeInvalidTransition)
	})
	t.Run("the deadline", func(t *testing.T) {
		e := e.in(t)
		e.setClock(t0)
		_, late := e.offered(a)
		_, onTime := e.offered(a)
		e.setClock(t0.Add(offerTTL))
		_, err := e.db.AcceptAssignment(e.ctx, a.ID, late)
		wantCode(t, "accept at the deadline", err, domain.ECodeInvalidTransition)
		e.setClock(t0.Add(offerTTL - time.Microsecond))
		_, err = e.db.AcceptAssignment(e.ctx, a.ID, onTime)
		wantCode(t, "accept just before the deadline", err, "")
	})
}

func TestDeclineAssignment(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	a, b := e.partner("Alpha"), e.partner("Beta", withStatus("paused"))
	intakeID, asg := e.offered(a)

	t.Run("not the partner's", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.DeclineAssignment(e.ctx, b.ID, asg, "no")
		wantCode(t, "another partner declines", err, domain.ECodeNotFound)
	})
	t.Run("declined", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.DeclineAssignment(e.ctx, a.ID, asg, "no capacity in that region")
		must(t, "decline", err)
		want := assignmentState{Status: postgres.AssignmentDeclined, EndReason: "no capacity in that region", Ended: true}
		if d := cmp.Diff(want, e.assignment(asg)); d != "" {
			t.Errorf("assignment (-want +got):\n%s", d)
		}
		if s := e.intakeStatus(intakeID); s != postgres.IntakeRouting {
			t.Errorf("intake is %s, want routing", s)
		}
		if n := e.openAssignments(a.ID); n != 0 {
			t.Errorf("Alpha counts %d open assignments, want 0", n)
		}
	})
	t.Run("twice", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.DeclineAssignment(e.ctx, a.ID, asg, "no")
		wantCode(t, "decline again", err, domain.ECodeInvalidTransition)
		_, err = e.db.AcceptAssignment(e.ctx, a.ID, asg)
		wantCode(t, "accept a declined offer", err, domain.ECodeInvalidTransition)
	})
	t.Run("never offered to the same partner again", func(t *testing.T) {
		e := e.in(t)
		res, err := e.db.RouteIntake(e.ctx, intakeID, "declined")
		must(t, "route", err)
		if res.Outcome != "unroutable" {
			t.Errorf("routing with only the partner that declined: %+v, want unroutable", res)
		}
		_, err = e.db.UpdatePartner(e.ctx, b.ID, domain.PartnerPatch{Status: ptr("active")})
		must(t, "unpause Beta", err)
		res, err = e.db.RouteIntake(e.ctx, intakeID, "drain")
		must(t, "route", err)
		if res.Outcome != "offered" || res.PartnerID != b.ID {
			t.Errorf("routing with Beta back: %+v, want an offer to Beta", res)
		}
	})
	t.Run("past the deadline", func(t *testing.T) {
		e := e.in(t)
		_, late := e.offered(a)
		e.setClock(t0.Add(offerTTL))
		_, err := e.db.DeclineAssignment(e.ctx, a.ID, late, "too late")
		wantCode(t, "decline at the deadline", err, domain.ECodeInvalidTransition)
		if s := e.assignment(late).Status; s != postgres.AssignmentOffered {
			t.Errorf("the offer is %s, want it left for the expiry", s)
		}
	})
}

func TestExpireAssignment(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	a := e.partner("Alpha")
	intakeID, asg := e.offered(a)
	_, acceptedAsg := e.engaged(a)

	e.setClock(t0.Add(offerTTL - time.Second))
	t.Run("not due", func(t *testing.T) {
		e := e.in(t)
		ok, err := e.db.ExpireAssignment(e.ctx, asg)
		if err != nil || ok {
			t.Errorf("expire before the deadline: %v, %v; want false, nil", ok, err)
		}
		ids, err := e.db.OverdueOffers(e.ctx, 10)
		must(t, "overdue", err)
		if len(ids) != 0 {
			t.Errorf("overdue offers before the deadline: %v", ids)
		}
	})
	e.setClock(t0.Add(offerTTL))
	t.Run("overdue", func(t *testing.T) {
		e := e.in(t)
		ids, err := e.db.OverdueOffers(e.ctx, 10)
		must(t, "overdue", err)
		if d := cmp.Diff([]string{asg}, ids); d != "" {
			t.Errorf("overdue offers (-want +got):\n%s", d)
		}
	})
	t.Run("expired", func(t *testing.T) {
		e := e.in(t)
		ok, err := e.db.ExpireAssignment(e.ctx, asg)
		if err != nil || !ok {
			t.Fatalf("expire at the deadline: %v, %v; want true, nil", ok, err)
		}
		if got := e.assignment(asg); got.Status != postgres.AssignmentExpired || !got.Ended {
			t.Errorf("assignment %+v, want expired and ended", got)
		}
		if s := e.intakeStatus(intakeID); s != postgres.IntakeRouting {
			t.Errorf("intake is %s, want routing", s)
		}
	})
	t.Run("twice", func(t *testing.T) {
		e := e.in(t)
		ok, err := e.db.ExpireAssignment(e.ctx, asg)
		if err != nil || ok {
			t.Errorf("expire again: %v, %v; want false, nil", ok, err)
		}
	})
	t.Run("an accepted offer never expires", func(t *testing.T) {
		e := e.in(t)
		ok, err := e.db.ExpireAssignment(e.ctx, acceptedAsg)
		if err != nil || ok {
			t.Errorf("expire an accepted offer: %v, %v; want false, nil", ok, err)
		}
		if s := e.assignment(acceptedAsg).Status; s != postgres.AssignmentAccepted {
			t.Errorf("accepted offer is now %s", s)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.ExpireAssignment(e.ctx, "00000000-0000-4000-8000-000000000000")
		wantCode(t, "unknown assignment", err, domain.ECodeNotFound)
	})
}

func TestPartnerAssignments(t *testing.T) {
	e := newEnv(t)
	a, b := e.partner("Alpha"), e.partner("Beta")
	var ids []string
	for i := 0; i < 3; i++ {
		e.setClock(t0.Add(time.Duration(i) * time.Minute))
		_, asg := e.offered(a)
		ids = append(ids, asg)
	}
	_, err := e.db.AcceptAssignment(e.ctx, a.ID, ids[1])
	must(t, "accept", err)
	_, other := e.offered(b)

	list := func(t *testing.T, status string, limit int) []string {
		t.Helper()
		got, err := e.db.PartnerAssignments(e.ctx, a.ID, status, limit)
		must(t, "list", err)
		out := []string{}
		for _, g := range got {
			out = append(out, g.ID)
		}
		return out
	}
	for _, c := range []struct {
		name   string
		status string
		limit  int
		want   []string
	}{
		{"all, newest first", "", 10, []string{ids[2], ids[1], ids[0]}},
		{"limited", "", 2, []string{ids[2], ids[1]}},
		{"offered", postgres.AssignmentOffered, 10, []string{ids[2], ids[0]}},
		{"accepted", postgres.AssignmentAccepted, 10, []string{ids[1]}},
		{"declined", postgres.AssignmentDeclined, 10, []string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if d := cmp.Diff(c.want, list(t, c.status, c.limit)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	t.Run("one", func(t *testing.T) {
		e := e.in(t)
		got, err := e.db.PartnerAssignment(e.ctx, a.ID, ids[1])
		must(t, "read", err)
		if got.ID != ids[1] || got.PartnerID != a.ID || got.Status != postgres.AssignmentAccepted {
			t.Errorf("assignment %+v", got)
		}
		_, err = e.db.PartnerAssignment(e.ctx, a.ID, other)
		wantCode(t, "another partner's assignment", err, domain.ECodeNotFound)
		_, err = e.db.PartnerAssignment(e.ctx, a.ID, "x")
		wantCode(t, "malformed id", err, domain.ECodeNotFound)
	})
}

func TestReleaseAssignment(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	a, b := e.partner("Alpha"), e.partner("Beta")

	t.Run("released and routed on", func(t *testing.T) {
		e := e.in(t)
		intakeID, asg := e.engaged(a)
		in, err := e.db.ReleaseAssignment(e.ctx, founder(intakeID), intakeID, "we did not connect")
		must(t, "release", err)
		if in.Status != postgres.IntakeRouting {
			t.Errorf("intake is %s, want routing", in.Status)
		}
		want := assignmentState{Status: postgres.AssignmentReleased, EndReason: "we did not connect", Ended: true}
		if d := cmp.Diff(want, e.assignment(asg)); d != "" {
			t.Errorf("assignment (-want +got):\n%s", d)
		}
		res, err := e.db.RouteIntake(e.ctx, intakeID, "released")
		must(t, "route", err)
		if res.PartnerID != b.ID {
			t.Errorf("routed to %s after the release, want Beta (%s)", res.PartnerID, b.ID)
		}
	})
	t.Run("nothing accepted", func(t *testing.T) {
		e := e.in(t)
		intakeID, _ := e.offered(a)
		_, err := e.db.ReleaseAssignment(e.ctx, admin, intakeID, "x")
		wantCode(t, "release an offer", err, domain.ECodeInvalidTransition)
		_, err = e.db.ReleaseAssignment(e.ctx, admin, "00000000-0000-4000-8000-000000000000", "x")
		wantCode(t, "unknown intake", err, domain.ECodeNotFound)
	})
	t.Run("drafts are withdrawn", func(t *testing.T) {
		e := e.in(t)
		intakeID, asg := e.engaged(a)
		r := e.record(a, asg, ace.PoolFounders, 20000)
		_, err := e.db.ReleaseAssignment(e.ctx, founder(intakeID), intakeID, "we did not connect")
		must(t, "release", err)
		got, err := e.db.ACERecord(e.ctx, "", r.ID)
		must(t, "read record", err)
		if got.State != ace.StateWithdrawn {
			t.Errorf("draft is %s, want withdrawn", got.State)
		}
	})
	t.Run("a record under review holds everyone", func(t *testing.T) {
		e := e.in(t)
		intakeID, asg := e.engaged(a)
		e.walk(a, e.record(a, asg, ace.PoolFounders, 20000), ace.StateSubmitted)
		for _, who := range []domain.Principal{founder(intakeID), admin} {
			_, err := e.db.ReleaseAssignment(e.ctx, who, intakeID, "x")
			wantCode(t, who.Role+" releases", err, domain.ECodeDuplicateFiling)
		}
		if s := e.assignment(asg).Status; s != postgres.AssignmentAccepted {
			t.Errorf("assignment is %s, want still accepted", s)
		}
	})
	t.Run("a live award holds the founder, not an admin", func(t *testing.T) {
		e := e.in(t)
		intakeID, asg := e.engaged(a)
		e.walk(a, e.record(a, asg, ace.PoolFounders, 20000), ace.StateApproved)
		_, err := e.db.ReleaseAssignment(e.ctx, founder(intakeID), intakeID, "x")
		wantCode(t, "founder releases", err, domain.ECodeDuplicateFiling)
		_, err = e.db.ReleaseAssignment(e.ctx, admin, intakeID, "the partner went quiet")
		wantCode(t, "admin releases", err, "")
	})
}

func TestWithdrawIntake(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	a := e.partner("Alpha")

	t.Run("an open offer is cancelled", func(t *testing.T) {
		e := e.in(t)
		intakeID, asg := e.offered(a)
		in, err := e.db.WithdrawIntake(e.ctx, intakeID, "found another way")
		must(t, "withdraw", err)
		if in.Status != postgres.IntakeWithdrawn || in.EndedAt == nil || !in.EndedAt.Equal(t0) {
			t.Errorf("intake %s ended %v, want withdrawn at %s", in.Status, in.EndedAt, t0)
		}
		want := assignmentState{Status: postgres.AssignmentCancelled, EndReason: "found another way", Ended: true}
		if d := cmp.Diff(want, e.assignment(asg)); d != "" {
			t.Errorf("assignment (-want +got):\n%s", d)
		}
		if n := e.openAssignments(a.ID); n != 0 {
			t.Errorf("Alpha counts %d open assignments, want 0", n)
		}
		_, err = e.db.WithdrawIntake(e.ctx, intakeID, "")
		wantCode(t, "withdraw twice", err, domain.ECodeInvalidTransition)
		_, err = e.db.AcceptAssignment(e.ctx, a.ID, asg)
		wantCode(t, "accept a cancelled offer", err, domain.ECodeInvalidTransition)
	})
	t.Run("an engagement is released, drafts withdrawn", func(t *testing.T) {
		e := e.in(t)
		intakeID, asg := e.engaged(a)
		r := e.record(a, asg, ace.PoolFounders, 20000)
		_, err := e.db.WithdrawIntake(e.ctx, intakeID, "")
		must(t, "withdraw", err)
		if s := e.assignment(asg).Status; s != postgres.AssignmentReleased {
			t.Errorf("assignment is %s, want released", s)
		}
		got, err := e.db.ACERecord(e.ctx, "", r.ID)
		must(t, "read record", err)
		if got.State != ace.StateWithdrawn {
			t.Errorf("draft is %s, want withdrawn", got.State)
		}
	})
	t.Run("refused while a record is under review", func(t *testing.T) {
		e := e.in(t)
		intakeID, asg := e.engaged(a)
		e.walk(a, e.record(a, asg, ace.PoolFounders, 20000), ace.StateValidated)
		_, err := e.db.WithdrawIntake(e.ctx, intakeID, "")
		wantCode(t, "withdraw", err, domain.ECodeDuplicateFiling)
		if s := e.intakeStatus(intakeID); s != postgres.IntakeEngaged {
			t.Errorf("intake is %s, want still engaged", s)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.WithdrawIntake(e.ctx, "x", "")
		wantCode(t, "malformed id", err, domain.ECodeNotFound)
	})
}

func TestPartnerResponsiveness(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	a := e.partner("Alpha")
	r, err := e.db.PartnerResponsiveness(e.ctx, a.ID)
	must(t, "before any offer", err)
	if d := cmp.Diff(postgres.Responsiveness{WindowDays: 365}, r); d != "" {
		t.Errorf("before any offer (-want +got):\n%s", d)
	}

	_, accepted := e.offered(a)
	_, declined := e.offered(a)
	_, expired := e.offered(a)
	e.offered(a) // pending
	_, old := e.offered(a)
	_, err = e.db.AcceptAssignment(e.ctx, a.ID, accepted)
	must(t, "accept", err)
	_, err = e.db.DeclineAssignment(e.ctx, a.ID, declined, "busy")
	must(t, "decline", err)
	_, err = e.db.DeclineAssignment(e.ctx, a.ID, old, "busy")
	must(t, "decline", err)
	e.exec(`UPDATE assignments SET offered_at = $2 WHERE id = $1`, old, t0.AddDate(-2, 0, 0))
	e.setClock(t0.Add(offerTTL))
	_, err = e.db.ExpireAssignment(e.ctx, expired)
	must(t, "expire", err)

	r, err = e.db.PartnerResponsiveness(e.ctx, a.ID)
	must(t, "responsiveness", err)
	want := postgres.Responsiveness{WindowDays: 365, OffersReceived: 4, Accepted: 1, Declined: 1, Expired: 1, Pending: 1,
		DeclineOrExpiryRate: ptr(2.0 / 3.0)}
	if d := cmp.Diff(want, r); d != "" {
		t.Errorf("responsiveness (-want +got):\n%s", d)
	}
}

// checkAssignments returns what is wrong with the intake's assignments:
// more than one active, or an intake status that does not follow from
// them.
func (e *env) checkAssignments(intakeID string) []string {
	e.t.Helper()
	var statuses []string
	if err := e.x.Select(&statuses, `SELECT status FROM assignments WHERE intake_id = $1 AND status IN ('offered','accepted')`, intakeID); err != nil {
		e.t.Fatal(err)
	}
	var bad []string
	if len(statuses) > 1 {
		bad = append(bad, fmt.Sprintf("%d active assignments %v", len(statuses), statuses))
	}
	in := e.intakeStatus(intakeID)
	want := map[string]string{postgres.AssignmentOffered: postgres.IntakeOffered, postgres.AssignmentAccepted: postgres.IntakeEngaged}
	switch {
	case len(statuses) == 1 && in != want[statuses[0]]:
		bad = append(bad, fmt.Sprintf("an %s assignment, but the intake is %s", statuses[0], in))
	case len(statuses) == 0 && (in == postgres.IntakeOffered || in == postgres.IntakeEngaged):
		bad = append(bad, "no active assignment, but the intake is "+in)
	}
	return bad
}

// TestAssignmentRaceOneActivePerIntake throws every move that can end or
// make an assignment at one intake at once, from three starting points,
// several times. Whatever wins, the intake never has two active
// assignments, its status follows from them, each partner's open count is
// right, and only one answer to an offer wins.
func TestAssignmentRaceOneActivePerIntake(t *testing.T) {
	const rounds = 4
	e := newEnv(t)
	a := e.partner("Alpha", withCapacity(1000))
	b := e.partner("Beta", withCapacity(1000))
	c := e.partner("Gamma", withCapacity(1000))

	type op struct {
		name string
		do   func(intakeID, asg string) error
	}
	accept := op{"accept", func(_, asg string) error { _, err := e.db.AcceptAssignment(e.ctx, a.ID, asg); return err }}
	decline := op{"decline", func(_, asg string) error { _, err := e.db.DeclineAssignment(e.ctx, a.ID, asg, "busy"); return err }}
	expire := op{"expire", func(_, asg string) error {
		ok, err := e.db.ExpireAssignment(e.ctx, asg)
		if err == nil && !ok {
			return domain.Errorf("noop", "nothing expired")
		}
		return err
	}}
	assignB := op{"assign Beta", func(in, _ string) error { _, err := adminAssign(e, in, b.ID, "race"); return err }}
	assignC := op{"assign Gamma", func(in, _ string) error { _, err := adminAssign(e, in, c.ID, "race"); return err }}
	route := op{"route", func(in, _ string) error {
		res, err := e.db.RouteIntake(e.ctx, in, "race")
		if err == nil && res.Outcome == "" {
			return domain.Errorf("noop", "nothing to route")
		}
		return err
	}}
	release := op{"release", func(in, _ string) error { _, err := e.db.ReleaseAssignment(e.ctx, admin, in, "race"); return err }}
	founderRelease := op{"founder release", func(in, _ string) error {
		_, err := e.db.ReleaseAssignment(e.ctx, founder(in), in, "race")
		return err
	}}
	withdraw := op{"withdraw", func(in, _ string) error { _, err := e.db.WithdrawIntake(e.ctx, in, "race"); return err }}

	for _, sc := range []struct {
		name  string
		setup func(e *env) (intakeID, asg string)
		ops   []op
		// check judges the outcomes, by op name.
		check func(t *testing.T, won map[string]int)
	}{
		{
			name:  "an intake waiting for a partner",
			setup: func(e *env) (string, string) { e.setClock(t0); return e.submit(), "" },
			ops:   []op{route, route, route, assignB, assignB, assignC, assignC},
			check: func(t *testing.T, won map[string]int) {
				if n := won["route"] + won["assign Beta"] + won["assign Gamma"]; n != 1 {
					t.Errorf("%d offers made, want 1: %v", n, won)
				}
			},
		},
		{
			name:  "an open offer",
			setup: func(e *env) (string, string) { e.setClock(t0); return e.offered(a) },
			ops:   []op{accept, accept, accept, decline, decline, decline, expire, expire, assignB, assignC, route, route},
			check: func(t *testing.T, won map[string]int) {
				if won["accept"]+won["decline"] != 1 {
					t.Errorf("%d accepts and %d declines won, want one answer in all", won["accept"], won["decline"])
				}
				if won["expire"] != 0 {
					t.Errorf("%d expiries of an offer not yet due", won["expire"])
				}
				if won["accept"] == 1 && won["assign Beta"]+won["assign Gamma"] != 0 {
					t.Errorf("an admin assigned an accepted intake: %v", won)
				}
			},
		},
		{
			name: "an offer past its deadline",
			setup: func(e *env) (string, string) {
				e.setClock(t0)
				in, asg := e.offered(a)
				e.setClock(t0.Add(offerTTL + time.Minute))
				return in, asg
			},
			ops: []op{expire, expire, expire, expire, accept, accept, decline, decline, assignB, assignC, route, route},
			check: func(t *testing.T, won map[string]int) {
				if won["expire"] != 1 || won["accept"]+won["decline"] != 0 {
					t.Errorf("%d expiries, %d accepts, %d declines won; want 1, 0, 0", won["expire"], won["accept"], won["decline"])
				}
			},
		},
		{
			name:  "an accepted engagement",
			setup: func(e *env) (string, string) { e.setClock(t0); return e.engaged(a) },
			ops:   []op{release, release, release, founderRelease, founderRelease, withdraw, assignB, assignC, route, route, decline, expire},
			check: func(t *testing.T, won map[string]int) {
				if won["release"]+won["founder release"] > 1 {
					t.Errorf("the engagement was released %d times", won["release"]+won["founder release"])
				}
				if won["decline"]+won["expire"] != 0 {
					t.Errorf("an accepted offer was declined or expired: %v", won)
				}
			},
		},
	} {
		t.Run(sc.name, func(t *testing.T) {
			e := e.in(t)
			for round := 0; round < rounds; round++ {
				intakeID, asg := sc.setup(e)
				errs := race(len(sc.ops), func(i int) error { return sc.ops[i].do(intakeID, asg) })
				won := map[string]int{}
				for i, err := range errs {
					if err == nil {
						won[sc.ops[i].name]++
						continue
					}
					// Losing is refused with a code; anything else is a fault.
					switch domain.ErrorCode(err) {
					case "noop", domain.ECodeInvalidTransition, domain.ECodeConflict:
					default:
						t.Errorf("round %d, %s: %v", round, sc.ops[i].name, err)
					}
				}
				t.Logf("round %d: won %v", round, won)
				sc.check(t, won)
				for _, bad := range e.checkAssignments(intakeID) {
					t.Errorf("round %d (%v won): %s", round, won, bad)
				}
			}
			if d := e.overAssigned(); len(d) > 0 {
				t.Errorf("intakes with more than one active assignment: %v", d)
			}
			if d := e.openCountDrift(); len(d) > 0 {
				t.Errorf("open assignment counts drifted: %v", d)
			}
		})
	}
}
