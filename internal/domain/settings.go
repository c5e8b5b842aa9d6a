package domain

import "fmt"

// Settings are the business settings admins change at run time.
type Settings struct {
	RoutingMode          string  `db:"routing_mode"`
	CloseRateThreshold   float64 `db:"close_rate_threshold"`
	WindowDays           int     `db:"window_days"`
	OfferTTLHours        int     `db:"offer_ttl_hours"`
	DefaultCommissionBPS int     `db:"default_commission_bps"`
	// OfferReminderPct is the share of the offer TTL after which a partner
	// that has not answered is reminded (assignment.expiring); 0 sends no
	// reminder.
	OfferReminderPct int `db:"offer_reminder_pct"`
	// Pipeline hygiene (seed 000); see docs/pipeline-health.md.
	StaleDays            int `db:"stale_days"`
	StuckIdentifiedDays  int `db:"stuck_identified_days"`
	FollowUpBusinessDays int `db:"follow_up_business_days"`
	OutcomeGraceDays     int `db:"outcome_grace_days"`
	CadenceWeeks         int `db:"cadence_weeks"`
	BatchQuietWeeks      int `db:"batch_quiet_weeks"`
	BatchWeekMin         int `db:"batch_week_min"`
	// ACELaunchedUnclosedDays: a record ACE shows Launched and CloudRoute
	// has not closed after this many days is a reconciliation finding.
	ACELaunchedUnclosedDays int `db:"ace_launched_unclosed_days"`
}

// IntSetting describes one whole-number setting: its name (the JSON key
// and the column), its bounds, and where it lives in Settings.
type IntSetting struct {
	Name     string
	Min, Max int
	Field    func(*Settings) *int
}

// IntSettings are the whole-number settings, in the order they are shown.
// The bounds match the CHECK constraints of the settings table.
var IntSettings = []IntSetting{
	{"window_days", 1, 3650, func(s *Settings) *int { return &s.WindowDays }},
	{"offer_ttl_hours", 1, 720, func(s *Settings) *int { return &s.OfferTTLHours }},
	{"default_commission_bps", 0, 10000, func(s *Settings) *int { return &s.DefaultCommissionBPS }},
	{"offer_reminder_pct", 0, 99, func(s *Settings) *int { return &s.OfferReminderPct }},
	{"stale_days", 1, 365, func(s *Settings) *int { return &s.StaleDays }},
	{"stuck_identified_days", 1, 365, func(s *Settings) *int { return &s.StuckIdentifiedDays }},
	{"follow_up_business_days", 1, 60, func(s *Settings) *int { return &s.FollowUpBusinessDays }},
	{"outcome_grace_days", 0, 90, func(s *Settings) *int { return &s.OutcomeGraceDays }},
	{"cadence_weeks", 4, 52, func(s *Settings) *int { return &s.CadenceWeeks }},
	{"batch_quiet_weeks", 1, 52, func(s *Settings) *int { return &s.BatchQuietWeeks }},
	{"batch_week_min", 2, 1000, func(s *Settings) *int { return &s.BatchWeekMin }},
	{"ace_launched_unclosed_days", 1, 365, func(s *Settings) *int { return &s.ACELaunchedUnclosedDays }},
}

// SettingsPatch is a partial update; nil (or absent) leaves a field
// unchanged.
type SettingsPatch struct {
	RoutingMode        *string
	CloseRateThreshold *float64
	Ints               map[string]int
}

// Validate reports every bad field at once.
func (p SettingsPatch) Validate() error {
	var pr FieldCheck
	if p.RoutingMode != nil && *p.RoutingMode != "auto" && *p.RoutingMode != "review" {
		pr.Add("routing_mode", "must be auto or review")
	}
	if p.CloseRateThreshold != nil && (*p.CloseRateThreshold < 0 || *p.CloseRateThreshold > 1) {
		pr.Add("close_rate_threshold", "must be between 0 and 1")
	}
	for _, s := range IntSettings {
		if v, ok := p.Ints[s.Name]; ok && (v < s.Min || v > s.Max) {
			pr.Add(s.Name, "must be between %d and %d", s.Min, s.Max)
		}
	}
	for name := range p.Ints {
		if !IsIntSetting(name) {
			pr.Add(name, "is not a setting")
		}
	}
	return pr.Err(ECodeValidation, "the settings have invalid fields")
}

// IsIntSetting reports whether name is a whole-number setting.
func IsIntSetting(name string) bool {
	for _, s := range IntSettings {
		if s.Name == name {
			return true
		}
	}
	return false
}

// Apply returns s with the patch applied (the patch must be valid).
func (p SettingsPatch) Apply(s Settings) Settings {
	if p.RoutingMode != nil {
		s.RoutingMode = *p.RoutingMode
	}
	if p.CloseRateThreshold != nil {
		s.CloseRateThreshold = *p.CloseRateThreshold
	}
	for _, is := range IntSettings {
		if v, ok := p.Ints[is.Name]; ok {
			*is.Field(&s) = v
		}
	}
	return s
}

// SettingChange is one setting whose value differs.
type SettingChange struct{ Field, Old, New string }

// Diff lists the settings that differ between old and nw, as text.
func Diff(old, nw Settings) []SettingChange {
	var out []SettingChange
	add := func(f, o, n string) {
		if o != n {
			out = append(out, SettingChange{f, o, n})
		}
	}
	add("routing_mode", old.RoutingMode, nw.RoutingMode)
	add("close_rate_threshold", fmt.Sprint(old.CloseRateThreshold), fmt.Sprint(nw.CloseRateThreshold))
	for _, is := range IntSettings {
		add(is.Name, fmt.Sprint(*is.Field(&old)), fmt.Sprint(*is.Field(&nw)))
	}
	return out
}
