package domain

import (
	"testing"
	"time"
)

func TestOfferReminderAt(t *testing.T) {
	offered := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		ttl    time.Duration
		pct    int
		want   time.Time
		wantOK bool
	}{
		{"75% of 48 h", 48 * time.Hour, 75, offered.Add(36 * time.Hour), true},
		{"50% of 1 h", time.Hour, 50, offered.Add(30 * time.Minute), true},
		{"off", 48 * time.Hour, 0, time.Time{}, false},
		{"no time to remind", 0, 75, time.Time{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := OfferReminderAt(offered, offered.Add(c.ttl), c.pct)
			if ok != c.wantOK || !got.Equal(c.want) {
				t.Fatalf("OfferReminderAt = %v, %v; want %v, %v", got, ok, c.want, c.wantOK)
			}
		})
	}
}

func TestOfferReminderDue(t *testing.T) {
	remind := time.Date(2026, 3, 5, 21, 0, 0, 0, time.UTC)
	expires := remind.Add(12 * time.Hour)
	for _, c := range []struct {
		name     string
		status   string
		remindAt *time.Time
		reminded bool
		now      time.Time
		want     bool
	}{
		{"due", AssignmentOffered, &remind, false, remind, true},
		{"not yet", AssignmentOffered, &remind, false, remind.Add(-time.Second), false},
		{"already reminded", AssignmentOffered, &remind, true, remind.Add(time.Hour), false},
		{"accepted meanwhile", AssignmentAccepted, &remind, false, remind.Add(time.Hour), false},
		{"declined meanwhile", AssignmentDeclined, &remind, false, remind.Add(time.Hour), false},
		{"lapsed", AssignmentOffered, &remind, false, expires, false},
		{"reminders off", AssignmentOffered, nil, false, remind, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := OfferReminderDue(c.status, c.remindAt, c.reminded, expires, c.now); got != c.want {
				t.Fatalf("OfferReminderDue = %v, want %v", got, c.want)
			}
		})
	}
}
