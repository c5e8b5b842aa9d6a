package web

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/console/intakes?view=review": "/console/intakes?view=review",
		"/console":                     "/console",
		"":                             "",
		"https://evil.example/console": "",
		"//evil.example/console":       "",
		"/console\\@evil.example":      "",
		"/v1/admin/partners":           "",
		"/console/sign-in?next=x":      "",
		"/console/sign-out":            "",
		"/consolex":                    "/consolex",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDollarsToCents(t *testing.T) {
	for in, want := range map[string]int64{"150": 15000, "-150.5": -15050, "1,250.50": 125050, "$20": 2000, "−3.07": -307, ".5": 50} {
		if got, ok := dollarsToCents(in); !ok || got != want {
			t.Errorf("dollarsToCents(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "a lot", "1.234", "1e3", "--5"} {
		if _, ok := dollarsToCents(in); ok {
			t.Errorf("dollarsToCents(%q) read a number", in)
		}
	}
}

func TestCountdown(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		-time.Minute: "expired", 30 * time.Second: "less than a minute left", 5 * time.Minute: "5 min left",
		47*time.Hour + 59*time.Minute: "47 h 59 min left", 72 * time.Hour: "3 days 0 h left",
	} {
		if got := countdown(now.Add(d), now); got != want {
			t.Errorf("countdown(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestNiceTop(t *testing.T) {
	for v, want := range map[float64]float64{0: 1, 3: 3.2, 100: 120, 20000: 24000, 2000: 2400, 70: 80} {
		if got := niceTop(v); got < want-1e-9 || got > want+1e-9 {
			t.Errorf("niceTop(%v) = %v, want %v", v, got, want)
		}
	}
}

func TestCharts(t *testing.T) {
	first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ticks := monthTicks(first, last)
	if ticks[0].Value != float64(first.UnixNano()) || ticks[len(ticks)-1].Label != "Dec 26" {
		t.Errorf("month ticks %+v: the axis must run from the first month to the last", ticks)
	}
	for name, draw := range map[string]func() (chartImage, error){
		"bars": func() (chartImage, error) {
			return barChart([]bar{{"a", 1}, {"b", 3}}, chartBlue, decimal2, 0, "Bars.")
		},
		"no bars": func() (chartImage, error) { return barChart(nil, chartBlue, decimal2, 100, "None.") },
		"lines": func() (chartImage, error) {
			return lineChart([]line{{Name: "x", Color: chartBlue, Times: []time.Time{first, last}, Values: []float64{1, 2}}}, first, last, decimal2, "Lines.")
		},
		"one point": func() (chartImage, error) {
			return lineChart([]line{{Name: "x", Color: chartBlue, Times: []time.Time{last}, Values: []float64{1}}}, first, last, decimal2, "One.")
		},
		"no points": func() (chartImage, error) { return lineChart(nil, first, last, decimal2, "Nothing.") },
	} {
		img, err := draw()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(string(img.Src), "data:image/svg+xml;base64,"))
		if err != nil || !strings.Contains(string(raw), "<svg") || strings.Contains(string(raw), "<script") {
			t.Errorf("%s: not a plain SVG data URL (%v)", name, err)
		}
	}
}

func decimal2(v float64) string { return decimal(v) }
