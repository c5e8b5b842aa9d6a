package webhook_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/webhook"
)

func TestSchedule(t *testing.T) {
	want := []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 8 * time.Hour, 8 * time.Hour}
	if diff := cmp.Diff(want, webhook.Schedule()); diff != "" {
		t.Fatalf("schedule (-want +got):\n%s", diff)
	}
	if webhook.MaxAttempts != len(want) {
		t.Errorf("MaxAttempts = %d", webhook.MaxAttempts)
	}

	// The last attempt comes about a day after the first, whatever the
	// jitter draws.
	for _, u := range []float64{0, 0.5, 0.999999} {
		var total time.Duration
		n := 1
		for ; ; n++ {
			d, ok := webhook.RetryDelay(n, u, 0)
			if !ok {
				break
			}
			total += d
		}
		if n != webhook.MaxAttempts {
			t.Errorf("u=%v: %d attempts", u, n)
		}
		if total < 18*time.Hour || total > 29*time.Hour {
			t.Errorf("u=%v: last attempt %v after the first", u, total)
		}
		if u == 0.5 && total != 23*time.Hour+35*time.Minute+5*time.Second {
			t.Errorf("nominal span %v", total)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n          int
		u          float64
		retryAfter time.Duration
		want       time.Duration
		ok         bool
	}{
		{"after the first attempt", 1, 0.5, 0, 5 * time.Second, true},
		{"lowest jitter", 1, 0, 0, 4 * time.Second, true},
		{"highest jitter", 2, 1, 0, 6 * time.Minute, true},
		{"third", 3, 0.5, 0, 30 * time.Minute, true},
		{"before the last", 7, 0.5, 0, 8 * time.Hour, true},
		{"after the last", 8, 0.5, 0, 0, false},
		{"not an attempt", 0, 0.5, 0, 0, false},
		{"draw out of range is clamped", 2, 7, 0, 6 * time.Minute, true},
		{"Retry-After longer than the wait", 1, 0.5, 2 * time.Minute, 2 * time.Minute, true},
		{"Retry-After shorter than the wait", 3, 0.5, time.Minute, 30 * time.Minute, true},
		{"Retry-After capped", 1, 0.5, 72 * time.Hour, 8 * time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := webhook.RetryDelay(tc.n, tc.u, tc.retryAfter)
			if got != tc.want || ok != tc.ok {
				t.Errorf("RetryDelay(%d, %v, %v) = %v, %v; want %v, %v", tc.n, tc.u, tc.retryAfter, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestShouldDisable(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	at := func(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }
	fail := func(h float64) webhook.Attempt { return webhook.Attempt{At: at(h), Status: 500} }
	down := func(h float64) webhook.Attempt { return webhook.Attempt{At: at(h)} }
	ok := func(h float64) webhook.Attempt { return webhook.Attempt{At: at(h), Status: 200, Delivered: true} }

	for _, tc := range []struct {
		name    string
		history []webhook.Attempt
		want    bool
	}{
		{"no history", nil, false},
		{"one failure", []webhook.Attempt{fail(0)}, false},
		{"failures for 71 hours", []webhook.Attempt{fail(0), down(30), fail(71)}, false},
		{"failures for 72 hours", []webhook.Attempt{fail(0), down(30), fail(72)}, true},
		{"many failures in an hour", []webhook.Attempt{fail(0), fail(0.2), fail(0.4), fail(0.6), fail(0.8), fail(1)}, false},
		{"a success in the middle restarts the run", []webhook.Attempt{fail(0), ok(40), fail(41), fail(100)}, false},
		{"failures since the success span 3 days", []webhook.Attempt{ok(0), fail(1), fail(80)}, true},
		{"latest attempt succeeded", []webhook.Attempt{fail(0), fail(100), ok(101)}, false},
		{"history in any order", []webhook.Attempt{fail(100), ok(101), fail(0)}, false},
		{"unsorted run of failures", []webhook.Attempt{fail(80), ok(0), fail(1)}, true},
		{"410 Gone at once", []webhook.Attempt{ok(0), {At: at(1), Status: http.StatusGone}}, true},
		{"410 then a success", []webhook.Attempt{{At: at(0), Status: http.StatusGone}, ok(1)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := webhook.ShouldDisable(tc.history); got != tc.want {
				t.Errorf("ShouldDisable = %v, want %v", got, tc.want)
			}
		})
	}
}
