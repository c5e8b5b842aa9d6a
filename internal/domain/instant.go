package domain

import "time"

// TimeOrDateRule is the message for a value that ParseTimeOrDate refuses.
const TimeOrDateRule = "must be an RFC 3339 time or a YYYY-MM-DD date"

// ParseTimeOrDate reads an instant the way clients may write one: an RFC
// 3339 time, returned in UTC, or a YYYY-MM-DD date, read as midnight UTC.
// Track records exported from spreadsheets often carry dates alone, so the
// track-record import and the admin metrics range accept both.
func ParseTimeOrDate(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}
