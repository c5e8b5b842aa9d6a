package commission_test

import (
	"math"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/commission"
)

func TestAmountCents(t *testing.T) {
	for _, c := range []struct {
		name string
		usd  int64
		bps  int
		want int64
	}{
		{"0.01 cent rounds down", 1, 1, 0},
		{"0.49 cent rounds down", 49, 1, 0},
		{"0.5 cent rounds up", 50, 1, 1},
		{"0.51 cent rounds up", 51, 1, 1},
		{"1.49 cents", 149, 1, 1},
		{"1.5 cents", 150, 1, 2},
		{"2.5 cents rounds up, not to even", 250, 1, 3},
		{"123.45 cents", 12_345, 1, 123},
		{"41,108.85 cents", 12_345, 333, 41_109},
		{"default rate on a portfolio award", 100_000, 1_000, 1_000_000},
		{"default rate on a founders award", 25_000, 1_000, 250_000},
		{"whole ceiling at 100%", 150_000, 10_000, 15_000_000},
		{"odd dollar at the default rate", 5_001, 1_000, 50_010},
		{"zero award", 0, 1_000, 0},
		{"zero rate", 100_000, 0, 0},
		{"large: naive usd×100×bps would overflow", math.MaxInt64 / 10_000, 10_000, (math.MaxInt64 / 10_000) * 100},
		{"largest award at 1 bps", math.MaxInt64, 1, 92_233_720_368_547_758},
		{"largest award at 100 bps", math.MaxInt64, 100, math.MaxInt64},
		{"negative rounds half away from zero", -50, 1, -1},
		{"negative default rate", -100_000, 1_000, -1_000_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := commission.AmountCents(c.usd, c.bps); got != c.want {
				t.Errorf("AmountCents(%d, %d) = %d, want %d", c.usd, c.bps, got, c.want)
			}
		})
	}
}

func TestAmountCentsPanicsRatherThanWrap(t *testing.T) {
	for _, c := range []struct {
		usd int64
		bps int
	}{
		{math.MaxInt64, 101},
		{math.MaxInt64, 10_000},
		{math.MaxInt64 / 50, 10_000},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AmountCents(%d, %d) did not panic", c.usd, c.bps)
				}
			}()
			commission.AmountCents(c.usd, c.bps)
		}()
	}
}

func TestMonths(t *testing.T) {
	plus2 := time.FixedZone("UTC+2", 2*60*60)
	minus5 := time.FixedZone("UTC-5", -5*60*60)
	utc := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		name            string
		t               time.Time
		month, previous time.Time
	}{
		{"mid month", time.Date(2026, 5, 17, 13, 4, 5, 6, time.UTC), utc(2026, 5), utc(2026, 4)},
		{"first instant", utc(2026, 5), utc(2026, 5), utc(2026, 4)},
		{"last instant", time.Date(2026, 5, 31, 23, 59, 59, 999_999_999, time.UTC), utc(2026, 5), utc(2026, 4)},
		{"31st into a short month", time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC), utc(2026, 3), utc(2026, 2)},
		{"January", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), utc(2026, 1), utc(2025, 12)},
		{"leap day", time.Date(2028, 2, 29, 8, 0, 0, 0, time.UTC), utc(2028, 2), utc(2028, 1)},
		{"local midnight is the previous UTC month", time.Date(2026, 3, 1, 0, 30, 0, 0, plus2), utc(2026, 2), utc(2026, 1)},
		{"local evening is the next UTC month", time.Date(2026, 12, 31, 21, 0, 0, 0, minus5), utc(2027, 1), utc(2026, 12)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := commission.MonthOf(c.t); !got.Equal(c.month) || got.Location() != time.UTC {
				t.Errorf("MonthOf = %v, want %v", got, c.month)
			}
			if got := commission.PreviousMonth(c.t); !got.Equal(c.previous) || got.Location() != time.UTC {
				t.Errorf("PreviousMonth = %v, want %v", got, c.previous)
			}
		})
	}
}
