package domain_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// defaults are the settings a fresh database holds.
var defaults = domain.Settings{RoutingMode: "auto", CloseRateThreshold: 0.7, WindowDays: 365, OfferTTLHours: 48,
	DefaultCommissionBPS: 1000, StaleDays: 30, StuckIdentifiedDays: 60, FollowUpBusinessDays: 5, OutcomeGraceDays: 7,
	CadenceWeeks: 12, BatchQuietWeeks: 8, BatchWeekMin: 20}

func TestSettingsPatchValidate(t *testing.T) {
	type tc struct {
		name  string
		patch domain.SettingsPatch
		want  []string
	}
	cases := []tc{
		{"empty", domain.SettingsPatch{}, nil},
		{"review mode", domain.SettingsPatch{RoutingMode: ptr("review")}, nil},
		{"an unknown mode", domain.SettingsPatch{RoutingMode: ptr("manual")}, []string{"routing_mode"}},
		{"threshold 0", domain.SettingsPatch{CloseRateThreshold: ptr(0.0)}, nil},
		{"threshold 1", domain.SettingsPatch{CloseRateThreshold: ptr(1.0)}, nil},
		{"threshold below 0", domain.SettingsPatch{CloseRateThreshold: ptr(-0.01)}, []string{"close_rate_threshold"}},
		{"threshold above 1", domain.SettingsPatch{CloseRateThreshold: ptr(1.01)}, []string{"close_rate_threshold"}},
		{"an unknown setting", domain.SettingsPatch{Ints: map[string]int{"colour": 1}}, []string{"colour"}},
		{"all bad at once", domain.SettingsPatch{RoutingMode: ptr("x"), CloseRateThreshold: ptr(2.0), Ints: map[string]int{"window_days": 0}},
			[]string{"routing_mode", "close_rate_threshold", "window_days"}},
	}
	for _, s := range domain.IntSettings {
		cases = append(cases,
			tc{s.Name + " at its minimum", domain.SettingsPatch{Ints: map[string]int{s.Name: s.Min}}, nil},
			tc{s.Name + " at its maximum", domain.SettingsPatch{Ints: map[string]int{s.Name: s.Max}}, nil},
			tc{s.Name + " below", domain.SettingsPatch{Ints: map[string]int{s.Name: s.Min - 1}}, []string{s.Name}},
			tc{s.Name + " above", domain.SettingsPatch{Ints: map[string]int{s.Name: s.Max + 1}}, []string{s.Name}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if d := cmp.Diff(c.want, fieldsOf(t, c.patch.Validate())); d != "" {
				t.Errorf("bad fields (-want +got):\n%s", d)
			}
		})
	}
}

// TestIntSettingsWriteTheirOwnField: each whole-number setting's accessor
// changes its own field and no other, so a patch of one setting never
// moves another.
func TestIntSettingsWriteTheirOwnField(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range domain.IntSettings {
		if seen[s.Name] {
			t.Errorf("setting %s is listed twice", s.Name)
		}
		seen[s.Name] = true
		if !domain.IsIntSetting(s.Name) {
			t.Errorf("IsIntSetting(%q) = false", s.Name)
		}
		v := s.Min
		if *s.Field(ptr(defaults)) == v {
			v = s.Max
		}
		nw := domain.SettingsPatch{Ints: map[string]int{s.Name: v}}.Apply(defaults)
		want := []domain.SettingChange{{Field: s.Name, Old: fmt.Sprint(*s.Field(ptr(defaults))), New: fmt.Sprint(v)}}
		if d := cmp.Diff(want, domain.Diff(defaults, nw)); d != "" {
			t.Errorf("a patch of %s changed (-want +got):\n%s", s.Name, d)
		}
	}
	if domain.IsIntSetting("routing_mode") || domain.IsIntSetting("") {
		t.Error("IsIntSetting accepts a name that is not a whole-number setting")
	}
}

func TestSettingsPatchApplyAndDiff(t *testing.T) {
	p := domain.SettingsPatch{RoutingMode: ptr("review"), CloseRateThreshold: ptr(0.65), Ints: map[string]int{"offer_ttl_hours": 24}}
	got := p.Apply(defaults)
	want := defaults
	want.RoutingMode, want.CloseRateThreshold, want.OfferTTLHours = "review", 0.65, 24
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("applied (-want +got):\n%s", d)
	}
	wantDiff := []domain.SettingChange{{"routing_mode", "auto", "review"}, {"close_rate_threshold", "0.7", "0.65"},
		{"offer_ttl_hours", "48", "24"}}
	if d := cmp.Diff(wantDiff, domain.Diff(defaults, got)); d != "" {
		t.Errorf("diff (-want +got):\n%s", d)
	}
	if d := domain.Diff(defaults, domain.SettingsPatch{}.Apply(defaults)); d != nil {
		t.Errorf("an empty patch changed %v", d)
	}
}
