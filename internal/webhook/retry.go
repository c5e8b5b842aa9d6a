package webhook

import (
	"net/http"
	"slices"
	"time"
)

// schedule is the nominal wait before each attempt; the first is
// immediate. It follows the Standard Webhooks example (now, 5 s, 5 min,
// 30 min, 2 h, 5 h, 10 h...) with a shorter tail, so that the last attempt
// comes about 24 hours after the first (23 h 35 min without jitter).
var schedule = [...]time.Duration{
	0,
	5 * time.Second,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	5 * time.Hour,
	8 * time.Hour,
	8 * time.Hour,
}

// MaxAttempts is how many times one event is tried at one endpoint.
const MaxAttempts = len(schedule)

// Jitter spreads each wait over ±20 % of its nominal value, so that the
// retries of many events failing at once (a receiver's outage) do not come
// back at once.
const Jitter = 0.2

// maxRetryAfter caps the wait a receiver may ask for with Retry-After, so
// that it cannot push an event past the schedule.
const maxRetryAfter = 8 * time.Hour

// Schedule returns the nominal wait before each attempt, attempt 1 first.
func Schedule() []time.Duration { return slices.Clone(schedule[:]) }

// RetryDelay returns how long to wait after failed attempt n (1 for the
// first) before attempt n+1, and false when n was the last. u, in [0, 1),
// is the caller's random draw, so that the function stays pure: the wait
// is the nominal one times 1 - Jitter + 2·Jitter·u. A Retry-After from the
// receiver lengthens the wait to what it asked, up to 8 hours.
//
// With asynq, whose retry count starts at 0 for the first retry, attempt n
// is that count plus 1, and MaxRetry is MaxAttempts - 1.
func RetryDelay(n int, u float64, retryAfter time.Duration) (time.Duration, bool) {
	if n < 1 || n >= MaxAttempts {
		return 0, false
	}
	u = min(max(u, 0), 1)
	d := time.Duration(float64(schedule[n]) * (1 - Jitter + 2*Jitter*u))
	if ra := min(retryAfter, maxRetryAfter); ra > d {
		d = ra
	}
	return d, true
}

// DisableAfter is how long an endpoint may fail without a single success
// before it is disabled.
const DisableAfter = 72 * time.Hour

// Attempt is one row of an endpoint's delivery log, as ShouldDisable needs
// it.
type Attempt struct {
	At time.Time
	// Status is the response's code, 0 when none came.
	Status int
	// Delivered is a 2xx answer.
	Delivered bool
}

// ShouldDisable reports whether an endpoint is to be disabled, given its
// delivery attempts (of every event, in any order) since it was last
// enabled: when its latest answer is 410 Gone, or when the failures since
// its last success span at least DisableAfter from the first to the
// latest. Spanning, not counting: a dozen quick failures in an hour are an
// outage to ride out, three days without one success are not.
func ShouldDisable(history []Attempt) bool {
	if len(history) == 0 {
		return false
	}
	h := slices.Clone(history)
	slices.SortStableFunc(h, func(a, b Attempt) int { return a.At.Compare(b.At) })
	last := h[len(h)-1]
	if last.Delivered {
		return false
	}
	if last.Status == http.StatusGone {
		return true
	}
	first := last
	for i := len(h) - 1; i >= 0 && !h[i].Delivered; i-- {
		first = h[i]
	}
	return last.At.Sub(first.At) >= DisableAfter
}
