// Package commission holds the arithmetic of CloudRoute's commission: the
// amount earned when a credit record closes, and the calendar months that
// statements group accruals by (SPEC §3 "Commission"). It does no I/O.
package commission

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// AmountCents returns the commission, in integer cents, on an award of
// approvedUSD whole dollars at a rate of bps basis points:
//
//	approvedUSD × 100 × bps / 10,000  =  approvedUSD × bps / 100 cents,
//
// rounded half up to a whole cent (half away from zero, were an input
// negative). So 1 USD at 1 bps is 0.01 cent → 0; 50 USD at 1 bps is 0.5 cent
// → 1; 100,000 USD at 1,000 bps is 1,000,000 cents.
//
// The product is formed in 128 bits, so no intermediate step overflows; the
// result is exact whenever it fits in an int64. It panics otherwise (only for
// awards above about 9 × 10^16 USD at 10,000 bps, far beyond the 150,000 USD
// stacked ceiling), because a wrong amount of money is worse than a failed job.
func AmountCents(approvedUSD int64, bps int) int64 {
	neg := (approvedUSD < 0) != (bps < 0)
	hi, lo := bits.Mul64(abs(approvedUSD), abs(int64(bps)))
	lo, carry := bits.Add64(lo, 50, 0) // + half a cent, then truncate
	hi += carry
	if hi >= 100 {
		panic(fmt.Sprintf("commission: %d USD at %d bps overflows int64 cents", approvedUSD, bps))
	}
	cents, _ := bits.Div64(hi, lo, 100)
	if cents > math.MaxInt64 {
		panic(fmt.Sprintf("commission: %d USD at %d bps overflows int64 cents", approvedUSD, bps))
	}
	if neg {
		return -int64(cents)
	}
	return int64(cents)
}

func abs(n int64) uint64 {
	if n < 0 {
		return uint64(-(n + 1)) + 1 // correct for math.MinInt64 too
	}
	return uint64(n)
}

// MonthOf returns the first instant of the UTC calendar month that holds t.
// Statements and accruals are grouped by it, in UTC whatever the server's
// zone, so that a month means the same thing to every process.
func MonthOf(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// PreviousMonth returns the first instant of the UTC month before the one
// holding now: the month a statement job running at the start of a month
// closes.
func PreviousMonth(now time.Time) time.Time {
	return MonthOf(now).AddDate(0, -1, 0)
}
