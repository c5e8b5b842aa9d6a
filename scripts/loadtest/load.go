package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/jmoiron/sqlx"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
)

// ---------------------------------------------------------------- bodies

// bodies builds distinct valid intake bodies cheaply: a few templates
// (intake.Example() over varied routing profiles, no aws_account_id), each
// cut at the website's host, so that a body is prefix + unique host +
// suffix.
type bodies struct {
	prefix, suffix [][]byte
	label          string // "<phase><run>", the start of every host
}

const hostMarker = "HOSTMARKER"

func newBodies(label string) *bodies {
	b := &bodies{label: label}
	for k := range 40 {
		e := intake.Example()
		e.AWSAccountID = nil
		e.CompanyName = "Load Test Co " + strconv.Itoa(k)
		e.Website = "https://" + hostMarker + "/"
		e.Region = domain.Regions[k%len(domain.Regions)]
		e.Stage = domain.Stages[k%len(domain.Stages)]
		e.Vertical = domain.Verticals[k%len(domain.Verticals)]
		e.ServiceProfile = domain.ServiceProfiles[k%len(domain.ServiceProfiles)]
		e.EngagementType = domain.EngagementTypes[k%len(domain.EngagementTypes)]
		raw, err := json.Marshal(e)
		if err != nil {
			panic(err)
		}
		pre, suf, ok := bytes.Cut(raw, []byte(hostMarker))
		if !ok {
			panic("the host marker is not in the body")
		}
		b.prefix = append(b.prefix, pre)
		b.suffix = append(b.suffix, suf)
	}
	return b
}

// host is the customer domain of request n: "<label>-<n>.example", a
// registrable domain of its own.
func (b *bodies) host(dst []byte, n int64) []byte {
	dst = append(dst, b.label...)
	dst = append(dst, '-')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, ".example"...)
}

// body is the JSON of request n, a new customer.
func (b *bodies) body(n int64) []byte {
	k := int(n % int64(len(b.prefix)))
	out := make([]byte, 0, len(b.prefix[k])+len(b.suffix[k])+48)
	out = append(out, b.prefix[k]...)
	out = b.host(out, n)
	return append(out, b.suffix[k]...)
}

// domainPattern is the SQL LIKE pattern of the phase's customer domains.
func (b *bodies) domainPattern() string { return b.label + "-%" }

// newClient is a keep-alive HTTP client to 127.0.0.1 with up to conns idle
// connections; it never uses a proxy.
func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// post submits one body and returns the status, or an error.
func post(ctx context.Context, c *http.Client, u string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// ---------------------------------------------------------------- throughput

// ThroughputResult is phase 2.
type ThroughputResult struct {
	Requests    int            `json:"requests"` // started in the measured window
	OK          int            `json:"ok"`       // 2xx among them
	OKPerSec    float64        `json:"ok_per_sec"`
	AllPerSec   float64        `json:"all_per_sec"`
	P50MS       float64        `json:"p50_ms"`
	P90MS       float64        `json:"p90_ms"`
	P99MS       float64        `json:"p99_ms"`
	MaxMS       float64        `json:"max_ms"`
	Non2xxShare float64        `json:"non_2xx_share"`
	ByStatus    map[string]int `json:"by_status"` // "201", "500", "error"
	ErrorSample string         `json:"error_sample,omitempty"`
	RatioToPgb  float64        `json:"ratio_to_pgbench,omitempty"`
	RSSPeakMB   float64        `json:"rss_peak_mb"`
	CPU         CPUUse         `json:"cpu"`
}

type workerStats struct {
	lat         []time.Duration
	status      map[int]int
	errs        int
	errSample   string
	okInWindow  int
	allInWindow int
}

func throughputPhase(ctx context.Context, o options, base, label string, sampler *sampler, log logger) (*ThroughputResult, error) {
	bs := newBodies(label)
	client := newClient(o.concurrency * 2)
	defer client.CloseIdleConnections()
	u := base + "/v1/intakes"
	start := time.Now()
	measureStart := start.Add(o.warmup)
	end := measureStart.Add(o.duration)
	var seq, done, non2xx atomic.Int64
	stats := make([]*workerStats, o.concurrency)
	var wg sync.WaitGroup
	for w := range o.concurrency {
		ws := &workerStats{status: map[int]int{}, lat: make([]time.Duration, 0, 4096)}
		stats[w] = ws
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(end) {
					return
				}
				n := seq.Add(1)
				st, err := post(ctx, client, u, bs.body(n))
				t1 := time.Now()
				if t0.Before(measureStart) {
					continue // warm-up
				}
				done.Add(1)
				ws.lat = append(ws.lat, t1.Sub(t0))
				if err != nil {
					ws.errs++
					if ws.errSample == "" {
						ws.errSample = err.Error()
					}
					non2xx.Add(1)
				} else {
					ws.status[st]++
					if st < 200 || st > 299 {
						non2xx.Add(1)
					}
				}
				if !t1.After(end) {
					ws.allInWindow++
					if err == nil && st >= 200 && st <= 299 {
						ws.okInWindow++
					}
				}
			}
		}()
	}
	// Progress until the workers are done (they stop at end, plus at most
	// the client timeout for the last requests).
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	tick := time.NewTicker(o.progress)
	defer tick.Stop()
	var lastDone, lastSeq int64
	lastT := start
	for running := true; running; {
		select {
		case <-finished:
			running = false
		case now := <-tick.C:
			d, s := done.Load(), seq.Load()
			secs := now.Sub(lastT).Seconds()
			phase := "measure"
			if lastT.Before(measureStart) { // the interval was (mostly) warm-up
				phase = "warm-up"
			}
			log.f("  %5.1fs %-7s %6.0f req/s started, %6.0f req/s measured, non-2xx %d, API RSS %.1f MB",
				now.Sub(start).Seconds(), phase, float64(s-lastSeq)/secs, float64(d-lastDone)/secs, non2xx.Load(), sampler.currentMB())
			lastDone, lastSeq, lastT = d, s, now
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	r := &ThroughputResult{ByStatus: map[string]int{}}
	var lat []time.Duration
	for _, ws := range stats {
		lat = append(lat, ws.lat...)
		for st, n := range ws.status {
			r.ByStatus[strconv.Itoa(st)] += n
			if st >= 200 && st <= 299 {
				r.OK += n
			}
		}
		if ws.errs > 0 {
			r.ByStatus["error"] += ws.errs
			if r.ErrorSample == "" {
				r.ErrorSample = ws.errSample
			}
		}
		r.OKPerSec += float64(ws.okInWindow)
		r.AllPerSec += float64(ws.allInWindow)
	}
	r.Requests = len(lat)
	r.OKPerSec /= o.duration.Seconds()
	r.AllPerSec /= o.duration.Seconds()
	if r.Requests > 0 {
		r.Non2xxShare = float64(r.Requests-r.OK) / float64(r.Requests)
	}
	slices.Sort(lat)
	r.P50MS, r.P90MS, r.P99MS = ms(pct(lat, 0.50)), ms(pct(lat, 0.90)), ms(pct(lat, 0.99))
	if len(lat) > 0 {
		r.MaxMS = ms(lat[len(lat)-1])
	}
	return r, nil
}

// pct is the nearest-rank percentile of sorted values.
func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// ---------------------------------------------------------------- backlog

// BacklogResult is the wait for the worker to route phase 2's intakes.
type BacklogResult struct {
	AtStart     int            `json:"at_start"`
	Left        int            `json:"left"`
	WaitS       float64        `json:"wait_s"`
	RoutedPerS  float64        `json:"routed_per_s"`
	RatioToPgb  float64        `json:"ratio_to_pgbench"`
	ByStatus    map[string]int `json:"intakes_by_status"`
	TimedOut    bool           `json:"timed_out"`
	OutboxUnsnt int            `json:"outbox_unsent_at_start"`
}

// waitBacklog waits until no intake is received or routing (or timeout).
func waitBacklog(ctx context.Context, db *sqlx.DB, timeout time.Duration, log logger) (*BacklogResult, error) {
	r := &BacklogResult{ByStatus: map[string]int{}}
	waiting := func() (int, error) {
		var n int
		err := db.GetContext(ctx, &n, `SELECT count(*) FROM intakes WHERE status IN ('received','routing')`)
		return n, err
	}
	var err error
	if r.AtStart, err = waiting(); err != nil {
		return nil, err
	}
	if err := db.GetContext(ctx, &r.OutboxUnsnt, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`); err != nil {
		return nil, err
	}
	log.f("      backlog: %d intakes wait for routing (%d outbox rows unsent); waiting at most %s", r.AtStart, r.OutboxUnsnt, timeout)
	start := time.Now()
	r.Left = r.AtStart
	lastLog := start
	for r.Left > 0 {
		if time.Since(start) >= timeout {
			r.TimedOut = true
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		if r.Left, err = waiting(); err != nil {
			return nil, err
		}
		if time.Since(lastLog) >= 5*time.Second {
			lastLog = time.Now()
			el := time.Since(start).Seconds()
			log.f("      backlog: %d left after %.0fs (%.0f routed/s)", r.Left, el, float64(r.AtStart-r.Left)/el)
		}
	}
	r.WaitS = time.Since(start).Seconds()
	if r.WaitS > 0 {
		r.RoutedPerS = float64(r.AtStart-r.Left) / r.WaitS
	}
	rows, err := db.QueryContext(ctx, `SELECT status, count(*) FROM intakes GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		r.ByStatus[s] = n
	}
	if r.TimedOut {
		log.f("      backlog: %d intakes still wait after %s; phase 3 starts anyway (its latencies include that backlog)", r.Left, timeout)
	} else {
		log.f("      backlog: routed in %.1fs (%.0f intakes/s); intakes by status %v", r.WaitS, r.RoutedPerS, r.ByStatus)
	}
	return r, rows.Err()
}

// ---------------------------------------------------------------- rate

// OfferResult is phase 3.
type OfferResult struct {
	Scheduled      int            `json:"scheduled"`
	Sent           int            `json:"sent"`
	Skipped        int            `json:"skipped_inflight_cap"`
	AchievedRate   float64        `json:"achieved_rate"`
	MaxLateMS      float64        `json:"max_dispatch_late_ms"`
	SubmitP50MS    float64        `json:"submit_p50_ms"`
	SubmitP99MS    float64        `json:"submit_p99_ms"`
	ByStatus       map[string]int `json:"by_status"`
	Accepted       int            `json:"accepted"` // 2xx answers, intakes in the database
	Offered        int            `json:"offered"`
	NotOffered     int            `json:"not_offered"`
	NotOfferedBy   map[string]int `json:"not_offered_by_status,omitempty"`
	P50MS          float64        `json:"offered_p50_ms"`
	P90MS          float64        `json:"offered_p90_ms"`
	P99MS          float64        `json:"offered_p99_ms"` // -1: beyond the offered ones (too many not offered)
	P99OfferedMS   float64        `json:"offered_p99_among_offered_ms"`
	MaxMS          float64        `json:"offered_max_ms"`
	DrainS         float64        `json:"drain_s"`
	DrainTimedOut  bool           `json:"drain_timed_out"`
	RSSPeakMB      float64        `json:"rss_peak_mb"`
	CPU            CPUUse         `json:"cpu"`
	SubmitErrorMsg string         `json:"error_sample,omitempty"`
}

const maxInflight = 2000

func ratePhase(ctx context.Context, o options, base string, db *sqlx.DB, label string, sampler *sampler, log logger) (*OfferResult, error) {
	bs := newBodies(label)
	client := newClient(512)
	defer client.CloseIdleConnections()
	u := base + "/v1/intakes"
	n := int(math.Round(o.rate * o.rateDuration.Seconds()))
	r := &OfferResult{Scheduled: n, ByStatus: map[string]int{}, NotOfferedBy: map[string]int{}}
	lat := make([]time.Duration, n)
	status := make([]int, n)
	errMsg := make([]string, n)
	sent := make([]bool, n)
	var inflight atomic.Int64
	var wg sync.WaitGroup
	interval := float64(time.Second) / o.rate
	var phaseStartDB time.Time
	if err := db.GetContext(ctx, &phaseStartDB, `SELECT now()`); err != nil {
		return nil, err
	}
	start := time.Now()
	lastLog := start
	var lastSent int
	var maxLate time.Duration
	for i := 0; i < n && ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(float64(i) * interval))
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		} else if late := -d; late > maxLate {
			maxLate = late
		}
		if inflight.Load() >= maxInflight {
			r.Skipped++
			continue
		}
		inflight.Add(1)
		sent[i] = true
		r.Sent++
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer inflight.Add(-1)
			t0 := time.Now()
			st, err := post(ctx, client, u, bs.body(int64(i)))
			lat[i] = time.Since(t0)
			status[i] = st
			if err != nil {
				errMsg[i] = err.Error()
			}
		}(i)
		if now := time.Now(); now.Sub(lastLog) >= o.progress {
			log.f("  %5.1fs submitted %d (%.0f/s), in flight %d, API RSS %.1f MB", now.Sub(start).Seconds(), r.Sent,
				float64(r.Sent-lastSent)/now.Sub(lastLog).Seconds(), inflight.Load(), sampler.currentMB())
			lastLog, lastSent = now, r.Sent
		}
	}
	dispatchS := time.Since(start).Seconds()
	wg.Wait() // each request is bounded by the client's timeout
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.MaxLateMS = ms(maxLate)
	if dispatchS > 0 && n > 1 {
		// n requests span n-1 intervals.
		r.AchievedRate = float64(r.Sent) / (dispatchS * float64(n) / float64(n-1))
	}
	var ok []time.Duration
	for i := range n {
		if !sent[i] {
			continue
		}
		switch {
		case errMsg[i] != "":
			r.ByStatus["error"]++
			if r.SubmitErrorMsg == "" {
				r.SubmitErrorMsg = errMsg[i]
			}
		default:
			r.ByStatus[strconv.Itoa(status[i])]++
			if status[i] >= 200 && status[i] <= 299 {
				r.Accepted++
			}
		}
		ok = append(ok, lat[i])
	}
	slices.Sort(ok)
	r.SubmitP50MS, r.SubmitP99MS = ms(pct(ok, 0.5)), ms(pct(ok, 0.99))
	log.f("      submitted %d of %d at %.1f/s (dispatch at most %.1f ms late); answers %v; submit p50 %.1f ms p99 %.1f ms",
		r.Sent, n, r.AchievedRate, r.MaxLateMS, r.ByStatus, r.SubmitP50MS, r.SubmitP99MS)

	// Wait for the worker to route them (bounded), polling through the
	// (status, created_at) index.
	dstart := time.Now()
	for {
		var left int
		if err := db.GetContext(ctx, &left, `SELECT count(*) FROM intakes WHERE status IN ('received','routing') AND created_at >= $1`, phaseStartDB); err != nil {
			return nil, err
		}
		if left == 0 {
			break
		}
		if time.Since(dstart) >= o.drainTimeout {
			r.DrainTimedOut = true
			log.f("      %d intakes still wait for routing after %s", left, o.drainTimeout)
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	r.DrainS = time.Since(dstart).Seconds()

	// Submission → offered, from the database's own timestamps.
	rows, err := db.QueryContext(ctx, `SELECT i.status, EXTRACT(EPOCH FROM (a.first_offer - i.created_at))::float8
		FROM intakes i
		LEFT JOIN LATERAL (SELECT min(offered_at) AS first_offer FROM assignments WHERE intake_id = i.id) a ON true
		WHERE i.customer_domain LIKE $1`, bs.domainPattern())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var offered []time.Duration
	total := 0
	for rows.Next() {
		var st string
		var secs sql.NullFloat64
		if err := rows.Scan(&st, &secs); err != nil {
			return nil, err
		}
		total++
		if !secs.Valid {
			r.NotOfferedBy[st]++
			continue
		}
		offered = append(offered, time.Duration(secs.Float64*float64(time.Second)))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if total != r.Accepted {
		log.f("      warning: %d intakes of this phase in the database, %d accepted answers", total, r.Accepted)
	}
	slices.Sort(offered)
	r.Offered = len(offered)
	r.NotOffered = total - len(offered)
	r.P99OfferedMS = ms(pct(offered, 0.99))
	r.MaxMS = -1 // none offered
	if len(offered) > 0 {
		r.MaxMS = ms(offered[len(offered)-1])
	}
	if r.NotOffered > 0 && len(offered) == 0 {
		r.P99OfferedMS = -1
	}
	// Percentiles over every accepted intake, a missing offer counting as
	// infinitely late.
	all := func(q float64) float64 {
		if total == 0 {
			return -1
		}
		i := int(math.Ceil(q*float64(total))) - 1
		if i >= len(offered) {
			return -1
		}
		return ms(offered[max(i, 0)])
	}
	r.P50MS, r.P90MS, r.P99MS = all(0.5), all(0.9), all(0.99)
	return r, nil
}

// ---------------------------------------------------------------- RSS

// sampler reads the server's VmRSS at a fixed interval and keeps the peak
// per phase.
type sampler struct {
	pid     int
	mu      sync.Mutex
	phase   string
	peakKB  map[string]int64
	lastKB  int64
	samples int
	misses  int
}

func newSampler(pid int) *sampler { return &sampler{pid: pid, peakKB: map[string]int64{}} }

func (s *sampler) setPhase(p string) {
	s.mu.Lock()
	s.phase = p
	s.mu.Unlock()
}

func (s *sampler) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		kb := readVmKB(s.pid, "VmRSS:") // float MB*1024: kB
		s.mu.Lock()
		if kb <= 0 {
			s.misses++
		} else {
			s.samples++
			s.lastKB = int64(kb)
			if int64(kb) > s.peakKB[s.phase] {
				s.peakKB[s.phase] = int64(kb)
			}
			if int64(kb) > s.peakKB[""] {
				s.peakKB[""] = int64(kb)
			}
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *sampler) currentMB() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return float64(s.lastKB) / 1024
}

func (s *sampler) peakMB(phase string) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return float64(s.peakKB[phase]) / 1024
}

// RSSResult is the server's resident memory.
type RSSResult struct {
	PeakMB  float64            `json:"peak_mb"` // sampled, over both phases and the backlog wait
	ByPhase map[string]float64 `json:"peak_mb_by_phase"`
	HWMMB   float64            `json:"vmhwm_mb"` // the kernel's high-water mark over the process's life
	Samples int                `json:"samples"`
	Misses  int                `json:"misses"`
}

func (s *sampler) summary() *RSSResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &RSSResult{ByPhase: map[string]float64{}, Samples: s.samples, Misses: s.misses}
	for k, v := range s.peakKB {
		if k == "" {
			r.PeakMB = float64(v) / 1024
		} else {
			r.ByPhase[k] = float64(v) / 1024
		}
	}
	return r
}

// readVmKB reads one "Vm...:  1234 kB" line of /proc/<pid>/status, in kB
// (0 when it cannot).
func readVmKB(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseFloat(f[0], 64)
				return n
			}
		}
	}
	return 0
}

// ---------------------------------------------------------------- CPU

// cpuSnap is CPU time at one moment: the server's, the harness's own, all
// postgres processes' (every database on the server), and the machine's.
type cpuSnap struct {
	at                  time.Time
	apiTicks, selfTicks float64
	pgTicks             map[string]float64 // by pid
	sysBusy, sysAll     float64
}

// CPUUse is CPU consumption over a phase, in cores (CPU seconds per
// second) and as a share of the machine.
type CPUUse struct {
	APICores      float64 `json:"api_cores"`
	PostgresCores float64 `json:"postgres_cores"` // every postgres process, other databases too
	HarnessCores  float64 `json:"harness_cores"`
	OtherCores    float64 `json:"other_cores"` // everything else that ran (other work on the machine)
	MachineBusy   float64 `json:"machine_busy"`
}

// procTicks reads utime+stime (USER_HZ, 100 on Linux) and the command name
// of /proc/<pid>/stat.
func procTicks(path string) (float64, string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, ""
	}
	str := string(b)
	i, j := strings.IndexByte(str, '('), strings.LastIndexByte(str, ')')
	if i < 0 || j < i {
		return 0, ""
	}
	f := strings.Fields(str[j+1:])
	// fields after ")": state(0) ... utime(11) stime(12)
	if len(f) <= 12 {
		return 0, ""
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return u + st, str[i+1 : j]
}

func readCPU(pid int) cpuSnap {
	s := cpuSnap{at: time.Now(), pgTicks: map[string]float64{}}
	s.apiTicks, _ = procTicks(fmt.Sprintf("/proc/%d/stat", pid))
	s.selfTicks, _ = procTicks("/proc/self/stat")
	if ents, err := os.ReadDir("/proc"); err == nil {
		for _, e := range ents {
			if n := e.Name(); n[0] >= '0' && n[0] <= '9' {
				if t, comm := procTicks("/proc/" + n + "/stat"); comm == "postgres" {
					s.pgTicks[n] = t
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		if len(f) > 4 && f[0] == "cpu" {
			for i, v := range f[1:] {
				n, _ := strconv.ParseFloat(v, 64)
				if i >= 8 { // guest times are already in user
					break
				}
				s.sysAll += n
				if i != 3 && i != 4 { // idle, iowait
					s.sysBusy += n
				}
			}
		}
	}
	return s
}

func cpuBetween(a, b cpuSnap) CPUUse {
	var u CPUUse
	secs := b.at.Sub(a.at).Seconds()
	if secs <= 0 {
		return u
	}
	u.APICores = (b.apiTicks - a.apiTicks) / 100 / secs
	u.HarnessCores = (b.selfTicks - a.selfTicks) / 100 / secs
	// Per process: a backend that started meanwhile counts whole, one that
	// exited meanwhile is missing (its last ticks are unknown).
	var pg float64
	for pid, t := range b.pgTicks {
		pg += t - a.pgTicks[pid]
	}
	u.PostgresCores = pg / 100 / secs
	if d := b.sysAll - a.sysAll; d > 0 {
		u.MachineBusy = (b.sysBusy - a.sysBusy) / d
		busyCores := (b.sysBusy - a.sysBusy) / 100 / secs
		u.OtherCores = max(0, busyCores-u.APICores-u.HarnessCores-u.PostgresCores)
	}
	return u
}
