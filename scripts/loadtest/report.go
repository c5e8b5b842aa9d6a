package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Results is everything one run measured.
type Results struct {
	RunID                  string            `json:"run_id"`
	StartedAt              time.Time         `json:"started_at"`
	CPUs                   int               `json:"cpus"`
	LoadAvgAtStart         string            `json:"loadavg_at_start"`
	PostgresVersion        string            `json:"postgres_version"`
	ServerPID              int               `json:"server_pid"`
	ServerEnv              []string          `json:"server_env"`
	Concurrency            int               `json:"concurrency"`
	DurationS              float64           `json:"duration_s"`
	WarmupS                float64           `json:"warmup_s"`
	Rate                   float64           `json:"rate"`
	RateDurationS          float64           `json:"rate_duration_s"`
	Partners               int               `json:"partners"`
	TrackRecordsPerPartner int               `json:"track_records_per_partner"`
	Pgbench                *PgbenchResult    `json:"pgbench,omitempty"`
	Throughput             *ThroughputResult `json:"throughput,omitempty"`
	Backlog                *BacklogResult    `json:"backlog,omitempty"`
	Offer                  *OfferResult      `json:"offer,omitempty"`
	RSS                    *RSSResult        `json:"rss,omitempty"`
	Shutdown               *ShutdownResult   `json:"shutdown,omitempty"`
	ServerLog              LogSummary        `json:"server_log"`
	Targets                []Target          `json:"targets"`
	AllPass                bool              `json:"all_pass"`
}

// Target is one row of SPEC §6.
type Target struct {
	Name     string `json:"name"`
	Goal     string `json:"goal"`
	Measured string `json:"measured"`
	Pass     bool   `json:"pass"`
	Measure  bool   `json:"measured_ok"` // false: not measured (counts as a miss)
}

// The targets of SPEC §6.
const (
	goalRPS   = 1000.0
	goalP99MS = 50.0
	goalRatio = 0.5
	// SPEC §6 asks 1 s; the routing-capacity work holds it to 250 ms.
	goalOfferP99 = 250.0 // ms
	// The worker drains a routing backlog at this share of pgbench -N.
	goalDrainRatio = 0.15
	goalRSSMB      = 150.0
	goalOfferRate  = 200.0
)

func evaluate(r *Results) {
	r.Targets = nil
	add := func(t Target) { r.Targets = append(r.Targets, t) }
	if tp := r.Throughput; tp == nil {
		for _, n := range []string{"intake submissions/s (2xx, sustained)", "intake submission latency p99", "submissions/s vs pgbench -N tps"} {
			add(Target{Name: n, Goal: "-", Measured: "not measured"})
		}
	} else {
		add(Target{Name: "intake submissions/s (2xx, sustained)", Goal: fmt.Sprintf(">= %.0f req/s", goalRPS),
			Measured: fmt.Sprintf("%.0f req/s", tp.OKPerSec), Pass: tp.OKPerSec >= goalRPS, Measure: true})
		add(Target{Name: "intake submission latency p99", Goal: fmt.Sprintf("<= %.0f ms", goalP99MS),
			Measured: fmt.Sprintf("%.1f ms (p50 %.1f)", tp.P99MS, tp.P50MS), Pass: tp.P99MS <= goalP99MS, Measure: true})
		if r.Pgbench != nil && r.Pgbench.TPS > 0 {
			tp.RatioToPgb = tp.OKPerSec / r.Pgbench.TPS
			add(Target{Name: "submissions/s vs pgbench -N tps", Goal: fmt.Sprintf(">= %.2f x", goalRatio),
				Measured: fmt.Sprintf("%.2f x (%.0f / %.0f tps)", tp.RatioToPgb, tp.OKPerSec, r.Pgbench.TPS),
				Pass:     tp.RatioToPgb >= goalRatio, Measure: true})
		} else {
			add(Target{Name: "submissions/s vs pgbench -N tps", Goal: fmt.Sprintf(">= %.2f x", goalRatio), Measured: "not measured"})
		}
	}
	if of := r.Offer; of != nil {
		m := fmt.Sprintf("%s (p50 %s; %d/%d not offered; at %.0f/s)", fmtMS(of.P99MS), fmtMS(of.P50MS), of.NotOffered, of.Accepted, of.AchievedRate)
		// The schedule must have been kept (within 5%) for the number to count.
		kept := of.AchievedRate >= 0.95*r.Rate && of.Skipped == 0
		if !kept {
			m += " — the rate was not reached"
		}
		add(Target{Name: fmt.Sprintf("submission -> offered p99 at %.0f/s", r.Rate), Goal: fmt.Sprintf("<= %.0f ms", goalOfferP99),
			Measured: m, Pass: of.P99MS >= 0 && of.P99MS <= goalOfferP99 && kept && r.Rate >= goalOfferRate && of.Accepted > 0, Measure: true})
	}
	if r.Offer == nil {
		add(Target{Name: fmt.Sprintf("submission -> offered p99 at %.0f/s", r.Rate), Goal: fmt.Sprintf("<= %.0f ms", goalOfferP99), Measured: "not measured"})
	}
	if b := r.Backlog; b != nil && r.Pgbench != nil && r.Pgbench.TPS > 0 && b.AtStart > 0 {
		b.RatioToPgb = b.RoutedPerS / r.Pgbench.TPS
		m := fmt.Sprintf("%.2f x (%.0f intakes/s / %.0f tps; %d intakes)", b.RatioToPgb, b.RoutedPerS, r.Pgbench.TPS, b.AtStart)
		if b.TimedOut {
			m += " — timed out"
		}
		add(Target{Name: "backlog drain rate vs pgbench -N tps", Goal: fmt.Sprintf(">= %.2f x", goalDrainRatio), Measured: m,
			Pass: b.RatioToPgb >= goalDrainRatio && !b.TimedOut, Measure: true})
	} else {
		add(Target{Name: "backlog drain rate vs pgbench -N tps", Goal: fmt.Sprintf(">= %.2f x", goalDrainRatio), Measured: "not measured"})
	}
	if rss := r.RSS; rss != nil {
		peak := max(rss.PeakMB, rss.HWMMB)
		add(Target{Name: "API resident memory (peak)", Goal: fmt.Sprintf("<= %.0f MB", goalRSSMB),
			Measured: fmt.Sprintf("%.1f MB (sampled %.1f, VmHWM %.1f)", peak, rss.PeakMB, rss.HWMMB), Pass: peak <= goalRSSMB && rss.Samples > 0, Measure: true})
	}
	r.AllPass = len(r.Targets) == 6
	for _, t := range r.Targets {
		if !t.Pass || !t.Measure {
			r.AllPass = false
		}
	}
}

func fmtMS(v float64) string {
	if v < 0 {
		return "inf"
	}
	if v >= 1000 {
		return fmt.Sprintf("%.2f s", v/1000)
	}
	return fmt.Sprintf("%.0f ms", v)
}

func printTable(w io.Writer, o options, r *Results) {
	if r.Targets == nil {
		evaluate(r)
	}
	fmt.Fprintf(w, "\nCloudRoute load test %s  (%s, %d CPUs, load average at start %s, Postgres %s)\n",
		r.RunID, r.StartedAt.Format(time.RFC3339), r.CPUs, r.LoadAvgAtStart, r.PostgresVersion)
	fmt.Fprintf(w, "server: %s; %d partners, %d outcomes each; %d clients, %s + %s warm-up; %.0f/s for %s\n\n",
		strings.Join(r.ServerEnv, " "), r.Partners, r.TrackRecordsPerPartner, r.Concurrency, o.duration, o.warmup, r.Rate, o.rateDuration)
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET (SPEC §6)\tGOAL\tMEASURED\tRESULT")
	for _, t := range r.Targets {
		res := "PASS"
		switch {
		case !t.Measure:
			res = "n/a"
		case !t.Pass:
			res = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Goal, t.Measured, res)
	}
	tw.Flush()

	fmt.Fprintln(w, "\ndetails:")
	if p := r.Pgbench; p != nil {
		fmt.Fprintf(w, "  pgbench -N:        %.0f tps, latency average %.2f ms (%s; init %.1fs)\n", p.TPS, p.LatencyAvgMS, p.Command, p.InitS)
	}
	if tp := r.Throughput; tp != nil {
		fmt.Fprintf(w, "  throughput:        %d requests measured, %.0f/s answered (all statuses), p50 %.1f / p90 %.1f / p99 %.1f / max %.1f ms\n",
			tp.Requests, tp.AllPerSec, tp.P50MS, tp.P90MS, tp.P99MS, tp.MaxMS)
		fmt.Fprintf(w, "                     non-2xx %.2f%%, by status %s\n", tp.Non2xxShare*100, fmtCounts(tp.ByStatus))
		if tp.ErrorSample != "" {
			fmt.Fprintf(w, "                     transport error sample: %s\n", tp.ErrorSample)
		}
		fmt.Fprintf(w, "                     CPU: %s; API RSS peak %.1f MB\n", fmtCPU(tp.CPU), tp.RSSPeakMB)
	}
	if b := r.Backlog; b != nil {
		state := fmt.Sprintf("routed in %.1fs (%.0f intakes/s)", b.WaitS, b.RoutedPerS)
		if b.TimedOut {
			state = fmt.Sprintf("%d still waiting after %.0fs (%.0f intakes/s routed)", b.Left, b.WaitS, b.RoutedPerS)
		}
		fmt.Fprintf(w, "  routing backlog:   %d intakes after the throughput phase, %s; intakes by status %s\n", b.AtStart, state, fmtCounts(b.ByStatus))
	}
	if of := r.Offer; of != nil {
		fmt.Fprintf(w, "  offer phase:       %d of %d sent at %.1f/s (dispatch at most %.1f ms late, %d skipped), answers %s\n",
			of.Sent, of.Scheduled, of.AchievedRate, of.MaxLateMS, of.Skipped, fmtCounts(of.ByStatus))
		fmt.Fprintf(w, "                     submit p50 %.1f / p99 %.1f ms; submission -> offered p50 %s / p90 %s / p99 %s / max %s",
			of.SubmitP50MS, of.SubmitP99MS, fmtMS(of.P50MS), fmtMS(of.P90MS), fmtMS(of.P99MS), fmtMS(of.MaxMS))
		if of.NotOffered > 0 {
			fmt.Fprintf(w, " (p99 among the offered %s; not offered by status %s)", fmtMS(of.P99OfferedMS), fmtCounts(of.NotOfferedBy))
		}
		fmt.Fprintln(w)
		drain := fmt.Sprintf("%.1fs", of.DrainS)
		if of.DrainTimedOut {
			drain += " (timed out)"
		}
		fmt.Fprintf(w, "                     drain wait %s; CPU: %s; API RSS peak %.1f MB\n", drain, fmtCPU(of.CPU), of.RSSPeakMB)
	}
	if rss := r.RSS; rss != nil {
		fmt.Fprintf(w, "  API RSS:           sampled peak %.1f MB (%s; %d samples every 100 ms), VmHWM %.1f MB\n",
			rss.PeakMB, fmtFloats(rss.ByPhase), rss.Samples, rss.HWMMB)
	}
	if s := r.Shutdown; s != nil {
		fmt.Fprintf(w, "  shutdown:          SIGTERM: %s\n", s.Detail)
	}
	fmt.Fprintf(w, "  server log:        %d lines, %d warnings, %d errors\n", r.ServerLog.Lines, r.ServerLog.Warnings, r.ServerLog.Errors)
	for _, k := range sortedKeys(r.ServerLog.Messages) {
		fmt.Fprintf(w, "                     %6d x %s\n", r.ServerLog.Messages[k], k)
	}
	verdict := "every target met"
	if !r.AllPass {
		verdict = "TARGETS MISSED"
	}
	fmt.Fprintf(w, "\nresult: %s\n", verdict)
}

func fmtCounts(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

func fmtFloats(m map[string]float64) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %.1f MB", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func fmtCPU(c CPUUse) string {
	return fmt.Sprintf("machine %.0f%% busy = API %.2f + postgres %.2f + harness %.2f + other %.2f cores",
		c.MachineBusy*100, c.APICores, c.PostgresCores, c.HarnessCores, c.OtherCores)
}
