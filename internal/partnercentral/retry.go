package partnercentral

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// RetryPolicy says which failed calls are tried again and how long to wait
// between tries. Throttling (429), server errors (5xx) and transport failures
// (a refused or reset connection, a timeout) are retried; every other answer
// is final: a ValidationException goes back to the partner, a
// ConflictException is resolved by reading again, an access error needs a
// person.
//
// Retrying writes is safe because each write either carries a ClientToken
// (CreateOpportunity, StartEngagementFromOpportunityTask), a LastModifiedDate
// (UpdateOpportunity, whose repeat after a lost answer becomes a
// ConflictException) or adds what is already there (AssociateOpportunity).
// SubmitOpportunity and the invitation answers have neither: a repeat after
// a lost answer comes back as a ValidationException or a ConflictException
// on an opportunity or invitation that did move, so the caller reads it
// again before it reports a failure.
type RetryPolicy struct {
	// MaxAttempts bounds the tries of one call, the first included.
	MaxAttempts int
	// BaseDelay is the wait before the second try; it doubles each time.
	BaseDelay time.Duration
	// MaxDelay caps one wait, a Retry-After from the service included.
	MaxDelay time.Duration
}

// DefaultRetryPolicy tries a call up to 5 times, waiting about 0.25 s, 0.5 s,
// 1 s and 2 s between tries.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 5, BaseDelay: 250 * time.Millisecond, MaxDelay: 20 * time.Second}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultRetryPolicy.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultRetryPolicy.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultRetryPolicy.MaxDelay
	}
	return p
}

// Delay returns the wait after the given failed try (1 for the first):
// exponential, capped at MaxDelay, with "equal jitter" (half of it fixed,
// half random) so that workers throttled together do not retry together,
// and never shorter than a Retry-After the service asked for.
func (p RetryPolicy) Delay(attempt int, retryAfter time.Duration) time.Duration {
	p = p.withDefaults()
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	half := d / 2
	d = half + time.Duration(rand.Int64N(int64(half)+1))
	if retryAfter > d {
		d = min(retryAfter, p.MaxDelay)
	}
	return d
}

// Retryable reports whether a call that failed with err may be tried again.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var throttled *ThrottlingException
	var internal *InternalServerException
	if errors.As(err, &throttled) || errors.As(err, &internal) {
		return true
	}
	var answered interface{ statusCode() int }
	if errors.As(err, &answered) {
		s := answered.statusCode()
		return s == http.StatusTooManyRequests || s >= 500
	}
	var transport *transportError
	if errors.As(err, &transport) {
		return transientTransport(transport.err)
	}
	return false
}

// transportError is a call that got no HTTP answer.
type transportError struct {
	op  string
	err error
}

func (e *transportError) Error() string { return "partnercentral " + e.op + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

func transientTransport(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}

// retryAfter reads a Retry-After header given in seconds.
func retryAfter(h http.Header) time.Duration {
	s, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || s <= 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
