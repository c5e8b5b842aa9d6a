package domain

// Settings are the business settings admins change at run time.
type Settings struct {
	RoutingMode          string  `db:"routing_mode"`
	CloseRateThreshold   float64 `db:"close_rate_threshold"`
	WindowDays           int     `db:"window_days"`
	OfferTTLHours        int     `db:"offer_ttl_hours"`
	DefaultCommissionBPS int     `db:"default_commission_bps"`
}

// SettingsPatch is a partial update; nil leaves a field unchanged.
type SettingsPatch struct {
	RoutingMode          *string
	CloseRateThreshold   *float64
	WindowDays           *int
	OfferTTLHours        *int
	DefaultCommissionBPS *int
}

// Validate reports every bad field at once.
func (p SettingsPatch) Validate() error {
	var pr Problems
	if p.RoutingMode != nil && *p.RoutingMode != "auto" && *p.RoutingMode != "review" {
		pr.Add("routing_mode", "must be auto or review")
	}
	if p.CloseRateThreshold != nil && (*p.CloseRateThreshold < 0 || *p.CloseRateThreshold > 1) {
		pr.Add("close_rate_threshold", "must be between 0 and 1")
	}
	if p.WindowDays != nil && (*p.WindowDays < 1 || *p.WindowDays > 3650) {
		pr.Add("window_days", "must be between 1 and 3650")
	}
	if p.OfferTTLHours != nil && (*p.OfferTTLHours < 1 || *p.OfferTTLHours > 720) {
		pr.Add("offer_ttl_hours", "must be between 1 and 720")
	}
	if p.DefaultCommissionBPS != nil && (*p.DefaultCommissionBPS < 0 || *p.DefaultCommissionBPS > 10000) {
		pr.Add("default_commission_bps", "must be between 0 and 10000")
	}
	return pr.Err(ECodeValidation, "the settings have invalid fields")
}
