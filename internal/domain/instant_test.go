package domain_test

import (
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/domain"
)

func TestParseTimeOrDate(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-03-14T09:30:00Z", time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC), true},
		{"2026-03-14T11:30:00+02:00", time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC), true},
		{"2026-03-14T09:30:00.25Z", time.Date(2026, 3, 14, 9, 30, 0, 250_000_000, time.UTC), true},
		{"2026-03-14", time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), true},
		{"", time.Time{}, false},
		{"2026-3-14", time.Time{}, false},
		{"14/03/2026", time.Time{}, false},
		{"2026-03-14 09:30:00", time.Time{}, false},
		{"2026-02-30", time.Time{}, false},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, ok := domain.ParseTimeOrDate(c.in)
			if ok != c.ok || !got.Equal(c.want) {
				t.Fatalf("ParseTimeOrDate(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
			}
			if ok && got.Location() != time.UTC {
				t.Errorf("%v is not in UTC", got)
			}
		})
	}
}
