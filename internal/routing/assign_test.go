package routing

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
)

func TestWaitsForRouting(t *testing.T) {
	want := map[string]bool{"received": true, "routing": true, "unroutable": true}
	for _, s := range domain.IntakeStatuses {
		if got := WaitsForRouting(s); got != want[s] {
			t.Errorf("WaitsForRouting(%s) = %v, want %v", s, got, want[s])
		}
	}
}

func TestCheckAssignable(t *testing.T) {
	ok := Assignable{PartnerTier: "advanced", PartnerStatus: "active", IntakeStatus: "unroutable"}
	with := func(f func(*Assignable)) Assignable { a := ok; f(&a); return a }
	type want struct {
		Code   string
		Fields []string
	}
	for _, c := range []struct {
		name string
		in   Assignable
		want want
	}{
		{"an unroutable intake to an advanced partner", ok, want{}},
		{"a premier partner", with(func(a *Assignable) { a.PartnerTier = "premier" }), want{}},
		{"confirming a review proposal", with(func(a *Assignable) { a.IntakeStatus = "pending_review" }), want{}},
		{"a received intake", with(func(a *Assignable) { a.IntakeStatus = "received" }), want{}},
		{"an intake being re-routed", with(func(a *Assignable) { a.IntakeStatus = "routing" }), want{}},
		{"a select partner", with(func(a *Assignable) { a.PartnerTier = "select" }), want{domain.ECodeValidation, []string{"partner_id"}}},
		{"a registered partner", with(func(a *Assignable) { a.PartnerTier = "registered" }), want{domain.ECodeValidation, []string{"partner_id"}}},
		{"a paused partner", with(func(a *Assignable) { a.PartnerStatus = "paused" }), want{domain.ECodeValidation, []string{"partner_id"}}},
		{"a partner that had the intake", with(func(a *Assignable) { a.PreviouslyAssigned = true }), want{domain.ECodeValidation, []string{"partner_id"}}},
		{"an offered intake", with(func(a *Assignable) { a.IntakeStatus = "offered" }), want{Code: domain.ECodeInvalidTransition}},
		{"an engaged intake", with(func(a *Assignable) { a.IntakeStatus = "engaged" }), want{Code: domain.ECodeInvalidTransition}},
		{"a withdrawn intake", with(func(a *Assignable) { a.IntakeStatus = "withdrawn" }), want{Code: domain.ECodeInvalidTransition}},
		{"a closed intake", with(func(a *Assignable) { a.IntakeStatus = "closed" }), want{Code: domain.ECodeInvalidTransition}},
		{"an active assignment left on a waiting intake", with(func(a *Assignable) { a.HasActiveAssignment = true }), want{Code: domain.ECodeConflict}},
		{"the tier before the intake", with(func(a *Assignable) { a.PartnerTier = "select"; a.IntakeStatus = "closed" }),
			want{domain.ECodeValidation, []string{"partner_id"}}},
		{"the intake before the history", with(func(a *Assignable) { a.PreviouslyAssigned = true; a.IntakeStatus = "engaged" }),
			want{Code: domain.ECodeInvalidTransition}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got want
			if err := CheckAssignable(c.in); err != nil {
				var e *domain.Error
				if !errors.As(err, &e) {
					t.Fatalf("untyped error %v", err)
				}
				got.Code = e.Code
				for _, f := range e.Fields {
					got.Fields = append(got.Fields, f.Field)
				}
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("CheckAssignable (-want +got):\n%s", d)
			}
		})
	}
}
