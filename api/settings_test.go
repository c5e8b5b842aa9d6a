package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Tests of GET/PUT /v1/admin/settings and GET /v1/admin/settings/audit.

// fdnDefaultSettings are the settings of a fresh database (SPEC §3).
var fdnDefaultSettings = map[string]any{"routing_mode": "auto", "close_rate_threshold": 0.7, "window_days": 365.0,
	"offer_ttl_hours": 48.0, "default_commission_bps": 1000.0,
	// an unanswered offer is reminded after 75% of its TTL
	"offer_reminder_pct": 75.0,
	// pipeline hygiene, with the seed's numbers
	"stale_days": 30.0, "stuck_identified_days": 60.0, "follow_up_business_days": 5.0, "outcome_grace_days": 7.0,
	"cadence_weeks": 12.0, "batch_quiet_weeks": 8.0, "batch_week_min": 20.0,
	// the ACE reconciliation
	"ace_launched_unclosed_days": 30.0}

func (e *env) fdnSettings() map[string]any {
	e.t.Helper()
	return e.do("GET", "/v1/admin/settings", e.adminKey, nil).want(e.t, 200).json(e.t)
}

// fdnAuditEntry is an audit item without its id and time.
type fdnAuditEntry struct {
	ActorKeyID *string `json:"actor_key_id"`
	Field      string  `json:"field"`
	OldValue   string  `json:"old_value"`
	NewValue   string  `json:"new_value"`
}

// fdnAudit returns the audit list, checking that ids decrease (newest
// first) and that every time is RFC 3339 UTC.
func (e *env) fdnAudit(t *testing.T) []fdnAuditEntry {
	t.Helper()
	var page struct {
		Items *[]struct {
			ID        int64  `json:"id"`
			ChangedAt string `json:"changed_at"`
			fdnAuditEntry
		} `json:"items"`
	}
	e.do("GET", "/v1/admin/settings/audit", e.adminKey, nil).want(t, 200).decode(t, &page)
	if page.Items == nil {
		t.Fatal("audit items is missing or null")
	}
	out := []fdnAuditEntry{}
	for i, it := range *page.Items {
		if i > 0 && it.ID >= (*page.Items)[i-1].ID {
			t.Fatalf("audit not newest first: id %d after %d", it.ID, (*page.Items)[i-1].ID)
		}
		fdnTime(t, "changed_at", it.ChangedAt)
		out = append(out, it.fdnAuditEntry)
	}
	return out
}

func TestSettingsDefaults(t *testing.T) {
	e := newEnv(t)
	if d := cmp.Diff(fdnDefaultSettings, e.fdnSettings()); d != "" {
		t.Fatalf("settings (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]fdnAuditEntry{}, e.fdnAudit(t)); d != "" {
		t.Fatalf("audit of a fresh database (-want +got):\n%s", d)
	}
}

func TestSettingsPartialUpdate(t *testing.T) {
	e := newEnv(t)
	want := map[string]any{}
	for k, v := range fdnDefaultSettings {
		want[k] = v
	}
	for _, st := range []struct {
		name string
		body map[string]any
		set  map[string]any
	}{
		{"routing_mode only", map[string]any{"routing_mode": "review"}, map[string]any{"routing_mode": "review"}},
		{"close_rate_threshold only", map[string]any{"close_rate_threshold": 0.85}, map[string]any{"close_rate_threshold": 0.85}},
		{"window_days only", map[string]any{"window_days": 180}, map[string]any{"window_days": 180.0}},
		{"offer_ttl_hours only", map[string]any{"offer_ttl_hours": 24}, map[string]any{"offer_ttl_hours": 24.0}},
		{"default_commission_bps only", map[string]any{"default_commission_bps": 1500}, map[string]any{"default_commission_bps": 1500.0}},
		{"two fields", map[string]any{"routing_mode": "auto", "window_days": 90},
			map[string]any{"routing_mode": "auto", "window_days": 90.0}},
		{"every field, at the bounds", map[string]any{"routing_mode": "review", "close_rate_threshold": 1, "window_days": 3650,
			"offer_ttl_hours": 720, "default_commission_bps": 10000},
			map[string]any{"routing_mode": "review", "close_rate_threshold": 1.0, "window_days": 3650.0,
				"offer_ttl_hours": 720.0, "default_commission_bps": 10000.0}},
		{"lower bounds", map[string]any{"close_rate_threshold": 0, "window_days": 1, "offer_ttl_hours": 1, "default_commission_bps": 0},
			map[string]any{"close_rate_threshold": 0.0, "window_days": 1.0, "offer_ttl_hours": 1.0, "default_commission_bps": 0.0}},
		{"null fields are left as they are", map[string]any{"routing_mode": nil, "window_days": 400},
			map[string]any{"window_days": 400.0}},
		{"unknown fields are ignored", map[string]any{"colour": "blue", "offer_ttl_hours": 12},
			map[string]any{"offer_ttl_hours": 12.0}},
	} {
		t.Run(st.name, func(t *testing.T) {
			for k, v := range st.set {
				want[k] = v
			}
			got := e.do("PUT", "/v1/admin/settings", e.adminKey, st.body).want(t, 200).json(t)
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("PUT answer (-want +got):\n%s", d)
			}
			if d := cmp.Diff(want, e.fdnSettings()); d != "" {
				t.Fatalf("GET after PUT (-want +got):\n%s", d)
			}
		})
	}
}

func TestSettingsInvalid(t *testing.T) {
	e := newEnv(t)
	// Start from non-default values so "unchanged" is not "default".
	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"routing_mode": "review", "window_days": 200}).want(t, 200)
	before := e.fdnSettings()
	audits := e.count("settings_audit")
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		fields []string
	}{
		{"routing_mode fast", map[string]any{"routing_mode": "fast"}, 422, "validation_failed", []string{"routing_mode"}},
		{"routing_mode empty", map[string]any{"routing_mode": ""}, 422, "validation_failed", []string{"routing_mode"}},
		{"routing_mode upper case", map[string]any{"routing_mode": "AUTO"}, 422, "validation_failed", []string{"routing_mode"}},
		{"close_rate_threshold 1.5", map[string]any{"close_rate_threshold": 1.5}, 422, "validation_failed", []string{"close_rate_threshold"}},
		{"close_rate_threshold negative", map[string]any{"close_rate_threshold": -0.1}, 422, "validation_failed", []string{"close_rate_threshold"}},
		{"window_days 0", map[string]any{"window_days": 0}, 422, "validation_failed", []string{"window_days"}},
		{"window_days 3651", map[string]any{"window_days": 3651}, 422, "validation_failed", []string{"window_days"}},
		{"offer_ttl_hours 0", map[string]any{"offer_ttl_hours": 0}, 422, "validation_failed", []string{"offer_ttl_hours"}},
		{"offer_ttl_hours 721", map[string]any{"offer_ttl_hours": 721}, 422, "validation_failed", []string{"offer_ttl_hours"}},
		{"default_commission_bps -1", map[string]any{"default_commission_bps": -1}, 422, "validation_failed", []string{"default_commission_bps"}},
		{"default_commission_bps 10001", map[string]any{"default_commission_bps": 10001}, 422, "validation_failed", []string{"default_commission_bps"}},
		{"every field bad at once", map[string]any{"routing_mode": "fast", "close_rate_threshold": 1.5, "window_days": 0,
			"offer_ttl_hours": 0, "default_commission_bps": -1}, 422, "validation_failed",
			[]string{"routing_mode", "close_rate_threshold", "window_days", "offer_ttl_hours", "default_commission_bps"}},
		{"a bad field among good ones changes nothing", map[string]any{"routing_mode": "auto", "offer_ttl_hours": 12, "window_days": 0},
			422, "validation_failed", []string{"window_days"}},
		{"not JSON", "routing_mode=auto", 400, "malformed_request", nil},
		{"empty body", "", 400, "malformed_request", nil},
		{"a JSON array", `[]`, 400, "malformed_request", []string{"body"}},
		{"window_days is a string", map[string]any{"window_days": "30"}, 400, "malformed_request", []string{"window_days"}},
		{"window_days is fractional", map[string]any{"window_days": 1.5}, 400, "malformed_request", []string{"window_days"}},
		{"close_rate_threshold is a string", map[string]any{"close_rate_threshold": "high"}, 400, "malformed_request", []string{"close_rate_threshold"}},
		{"routing_mode is a number", map[string]any{"routing_mode": 1}, 400, "malformed_request", []string{"routing_mode"}},
		{"body over 1 MiB", `{"routing_mode":"auto","pad":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "payload_too_large", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("PUT", "/v1/admin/settings", e.adminKey, tc.body)
			r.problem(t, tc.status, tc.code)
			if d := cmp.Diff(tc.fields, r.fields(t)); d != "" {
				t.Errorf("errors[].field (-want +got):\n%s", d)
			}
			if d := cmp.Diff(before, e.fdnSettings()); d != "" {
				t.Errorf("settings changed (-before +after):\n%s", d)
			}
			if n := e.count("settings_audit"); n != audits {
				t.Errorf("settings_audit %d rows, want %d", n, audits)
			}
		})
	}
}

func TestSettingsAudit(t *testing.T) {
	e := newEnv(t)
	adminID := e.fdnKeyID(e.adminKey)
	other, otherKey, err := e.db.CreateAdminKey(context.Background(), "second admin")
	if err != nil {
		t.Fatal(err)
	}

	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"routing_mode": "review", "close_rate_threshold": 0.85}).want(t, 200)
	e.do("PUT", "/v1/admin/settings", otherKey, map[string]any{"offer_ttl_hours": 24, "window_days": 365}).want(t, 200)
	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"default_commission_bps": 1250, "close_rate_threshold": 0.6}).want(t, 200)

	want := []fdnAuditEntry{
		{&adminID, "default_commission_bps", "1000", "1250"},
		{&adminID, "close_rate_threshold", "0.85", "0.6"},
		// window_days was given at its current value: not a change.
		{&other.ID, "offer_ttl_hours", "48", "24"},
		{&adminID, "close_rate_threshold", "0.7", "0.85"},
		{&adminID, "routing_mode", "auto", "review"},
	}
	// Within one PUT the fields are audited in a fixed order and listed
	// newest first, so the order above is exact.
	if d := cmp.Diff(want, e.fdnAudit(t)); d != "" {
		t.Fatalf("audit (-want +got):\n%s", d)
	}
	if n := e.count("settings_audit"); n != 5 {
		t.Fatalf("settings_audit %d rows, want 5", n)
	}
}

func TestSettingsNoChangeNoAudit(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		body any
	}{
		{"empty object", map[string]any{}},
		{"every field at its current value", map[string]any{"routing_mode": "auto", "close_rate_threshold": 0.7,
			"window_days": 365, "offer_ttl_hours": 48, "default_commission_bps": 1000}},
		{"one field at its current value", map[string]any{"window_days": 365}},
		{"only nulls", `{"routing_mode":null,"window_days":null}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := e.do("PUT", "/v1/admin/settings", e.adminKey, tc.body).want(t, 200).json(t)
			if d := cmp.Diff(fdnDefaultSettings, got); d != "" {
				t.Fatalf("PUT answer (-want +got):\n%s", d)
			}
			if n := e.count("settings_audit"); n != 0 {
				t.Fatalf("settings_audit %d rows after a PUT that changed nothing", n)
			}
		})
	}
	// After a real change, repeating it adds nothing either.
	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"close_rate_threshold": 0.75}).want(t, 200)
	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"close_rate_threshold": 0.75}).want(t, 200)
	if n := e.count("settings_audit"); n != 1 {
		t.Fatalf("settings_audit %d rows, want 1", n)
	}
}

// TestSettingsThresholdPrecision: the threshold is stored as numeric(5,4).
// A value with more decimals may be refused (422 naming the field, nothing
// changed) or rounded, but then the PUT must answer what is stored, and
// repeating the same PUT must not be audited as a change.
func TestSettingsThresholdPrecision(t *testing.T) {
	e := newEnv(t)
	r := e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"close_rate_threshold": 0.12345})
	if r.status == 422 {
		r.problem(t, 422, "validation_failed")
		if d := cmp.Diff([]string{"close_rate_threshold"}, r.fields(t)); d != "" {
			t.Errorf("errors[].field (-want +got):\n%s", d)
		}
		if d := cmp.Diff(fdnDefaultSettings, e.fdnSettings()); d != "" {
			t.Errorf("settings changed (-before +after):\n%s", d)
		}
		return
	}
	put := r.want(t, 200).json(t)
	if d := cmp.Diff(e.fdnSettings(), put); d != "" {
		t.Errorf("PUT answer differs from the stored settings (-get +put):\n%s", d)
	}
	audits := e.count("settings_audit")
	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"close_rate_threshold": 0.12345}).want(t, 200)
	if n := e.count("settings_audit"); n != audits {
		t.Errorf("repeating the same PUT added %d audit rows", n-audits)
	}
}

// TestSettingsDefaultCommissionAppliesToNewPartners: a partner created
// without commission_bps takes the current default; existing partners keep
// theirs.
func TestSettingsDefaultCommissionAppliesToNewPartners(t *testing.T) {
	e := newEnv(t)
	old := e.do("POST", "/v1/admin/partners", e.adminKey, partnerBody(nil)).want(t, 201).json(t)
	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"default_commission_bps": 1750}).want(t, 200)
	nw := e.do("POST", "/v1/admin/partners", e.adminKey, partnerBody(nil)).want(t, 201).json(t)
	explicit := e.do("POST", "/v1/admin/partners", e.adminKey, partnerBody(map[string]any{"commission_bps": 300})).want(t, 201).json(t)
	got := []any{old["commission_bps"], nw["commission_bps"], explicit["commission_bps"],
		e.do("GET", "/v1/admin/partners/"+old["id"].(string), e.adminKey, nil).want(t, 200).json(t)["commission_bps"]}
	if d := cmp.Diff([]any{1000.0, 1750.0, 300.0, 1000.0}, got); d != "" {
		t.Fatalf("commission_bps of old, new, explicit, old again (-want +got):\n%s", d)
	}
}
