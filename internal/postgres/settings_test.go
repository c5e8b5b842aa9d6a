package postgres_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// defaultSettings are the settings of a fresh database (SPEC §3 and seed
// 000).
var defaultSettings = domain.Settings{RoutingMode: "auto", CloseRateThreshold: 0.70, WindowDays: 365, OfferTTLHours: 48,
	DefaultCommissionBPS: 1000, StaleDays: 30, StuckIdentifiedDays: 60, FollowUpBusinessDays: 5, OutcomeGraceDays: 7,
	CadenceWeeks: 12, BatchQuietWeeks: 8, BatchWeekMin: 20, OfferReminderPct: 75, ACELaunchedUnclosedDays: 30}

func TestSettings(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	k, _, err := e.db.CreateAdminKey(e.ctx, "ops")
	must(t, "admin key", err)

	t.Run("defaults", func(t *testing.T) {
		e := e.in(t)
		s, err := e.db.Settings(e.ctx)
		must(t, "read", err)
		if d := cmp.Diff(defaultSettings, s); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("changed and audited", func(t *testing.T) {
		e := e.in(t)
		got, err := e.db.UpdateSettings(e.ctx, domain.Principal{Role: domain.RoleAdmin, KeyID: k.ID}, domain.SettingsPatch{RoutingMode: ptr("review"),
			CloseRateThreshold: ptr(0.123456), Ints: map[string]int{"window_days": 180, "offer_ttl_hours": 48}})
		must(t, "update", err)
		want := defaultSettings
		want.RoutingMode, want.CloseRateThreshold, want.WindowDays = "review", 0.1235, 180
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("answer (-want +got):\n%s", d)
		}
		stored, err := e.db.Settings(e.ctx)
		must(t, "read", err)
		if d := cmp.Diff(want, stored); d != "" {
			t.Errorf("stored (-want +got):\n%s", d)
		}
		audit, err := e.db.SettingsAudit(e.ctx, 10)
		must(t, "audit", err)
		at := t0.Format(time.RFC3339)
		wantAudit := []postgres.SettingsChange{
			{ActorKeyID: &k.ID, Field: "window_days", OldValue: "365", NewValue: "180", ChangedAt: at},
			{ActorKeyID: &k.ID, Field: "close_rate_threshold", OldValue: "0.7", NewValue: "0.1235", ChangedAt: at},
			{ActorKeyID: &k.ID, Field: "routing_mode", OldValue: "auto", NewValue: "review", ChangedAt: at},
		}
		if d := cmp.Diff(wantAudit, audit, cmpopts.IgnoreFields(postgres.SettingsChange{}, "ID")); d != "" {
			t.Errorf("audit, newest first (-want +got):\n%s", d)
		}
		audit, err = e.db.SettingsAudit(e.ctx, 1)
		must(t, "audit", err)
		if len(audit) != 1 || audit[0].Field != "window_days" {
			t.Errorf("limited audit %+v, want the newest change alone", audit)
		}
	})
	t.Run("a patch that changes nothing is not audited", func(t *testing.T) {
		e := e.in(t)
		before := e.count(`SELECT count(*) FROM settings_audit`)
		_, err := e.db.UpdateSettings(e.ctx, domain.Principal{Role: domain.RoleAdmin, KeyID: k.ID}, domain.SettingsPatch{RoutingMode: ptr("review"), Ints: map[string]int{"window_days": 180}})
		must(t, "update", err)
		if after := e.count(`SELECT count(*) FROM settings_audit`); after != before {
			t.Errorf("%d audit rows for no change", after-before)
		}
	})
	t.Run("every bad field at once, nothing changed", func(t *testing.T) {
		e := e.in(t)
		before, err := e.db.Settings(e.ctx)
		must(t, "read", err)
		_, err = e.db.UpdateSettings(e.ctx, domain.Principal{Role: domain.RoleAdmin, KeyID: k.ID}, domain.SettingsPatch{RoutingMode: ptr("manual"), CloseRateThreshold: ptr(1.5),
			Ints: map[string]int{"window_days": 0, "colour": 3}})
		wantCode(t, "update", err, domain.ECodeValidation)
		if d := cmp.Diff([]string{"routing_mode", "close_rate_threshold", "window_days", "colour"}, fields(err)); d != "" {
			t.Errorf("fields (-want +got):\n%s", d)
		}
		after, err := e.db.Settings(e.ctx)
		must(t, "read", err)
		if d := cmp.Diff(before, after); d != "" {
			t.Errorf("a refused patch changed the settings (-before +after):\n%s", d)
		}
	})
}
