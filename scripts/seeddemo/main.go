// Command seeddemo seeds a running CloudRoute with demo data through its
// public HTTP API, as an admin would: partners of every tier, a track record
// of past ACE outcomes for each advanced and premier partner, and one API key
// per partner. It does nothing when the API already holds a partner.
//
//	go run ./scripts/seeddemo --help
//
// It uses only the standard library and the HTTP contract (openapi.yaml), so
// it also works against a server started with docker compose. With
// --ace-endpoint it connects the routable partners to the Partner Central
// simulator there and files one demo engagement through the ACE sync
// (ace.go).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cloudroute/cloudroute/internal/cloudrouteapi"
)

const usage = `Usage: go run ./scripts/seeddemo [flags]

Seeds demo data through the HTTP API of a running CloudRoute:
  - 7 partners: premier and advanced ones across us_east, us_west, eu, uk and
    india (one paused), plus one select and one registered partner that the
    tier gate keeps out of routing;
  - a track record of 40 to 120 past ACE outcomes (decided in the last 300
    days) for each advanced and premier partner;
  - one API key per partner, printed once and written to --keys-file;
  - with --ace-endpoint (the Partner Central simulator, cmd/acesim): each
    active advanced and premier partner connected to it (Sandbox catalog,
    the simulator's test credentials), and one demo engagement whose record
    is linked to ACE and submitted, for a newcomer to watch it sync.
  - two console accounts with public demo passwords: an admin
    (admin@cloudroute.example) and a user of Northwind Cloud Partners
    (alliances@northwind-cloud.example.com), for /console/sign-in.
When GET /v1/admin/partners already returns a partner it prints
"already seeded", creates only the console accounts that are missing, and
exits 0.

Flags:
`

// The value sets of SPEC §2, exactly.
var (
	stages          = []string{"pre_seed", "seed", "series_a", "series_b", "series_c_plus"}
	verticals       = []string{"fintech", "healthtech", "b2b_saas", "ecommerce", "deep_tech", "gaming", "other"}
	serviceProfiles = []string{"compute_heavy", "ai_heavy", "data_heavy", "edge_heavy"}
)

// partnerSpec is one demo partner and the shape of its invented history.
// Its Partner is the body that creates it.
type partnerSpec struct {
	cloudrouteapi.Partner

	closeRate float64 // the approval probability of its past outcomes
	outcomes  int     // how many past outcomes to import (0: none)
	strong    string  // a service profile it does better on
	weak      string  // a service profile it does worse on
	envName   string  // the variable name of its key in --keys-file
}

var partners = []partnerSpec{
	{Partner: cloudrouteapi.Partner{Name: "Northwind Cloud Partners", Tier: "premier", Regions: []string{"us_east", "us_west"},
		Verticals: []string{"fintech", "b2b_saas", "ecommerce"}, Capacity: 25, CommissionBPS: 1000, Status: "active",
		ContactEmail: "alliances@northwind-cloud.example.com", ExcludedAxisValues: map[string][]string{}},
		closeRate: 0.84, outcomes: 110, strong: "ai_heavy", weak: "edge_heavy", envName: "NORTHWIND"},
	{Partner: cloudrouteapi.Partner{Name: "Atlas Data & AI", Tier: "advanced", Regions: []string{"us_east", "eu"},
		Verticals: []string{"healthtech", "deep_tech", "b2b_saas"}, Capacity: 10, CommissionBPS: 1200, Status: "active",
		ContactEmail: "partners@atlas-data.example.com", ExcludedAxisValues: map[string][]string{"stage": {"pre_seed"}}},
		closeRate: 0.77, outcomes: 80, strong: "data_heavy", weak: "compute_heavy", envName: "ATLAS"},
	{Partner: cloudrouteapi.Partner{Name: "Thames Digital Engineering", Tier: "premier", Regions: []string{"uk", "eu"},
		Verticals: []string{"fintech", "ecommerce", "gaming", "other"}, Capacity: 15, CommissionBPS: 1000, Status: "active",
		ContactEmail: "aws@thames-digital.example.co.uk", ExcludedAxisValues: map[string][]string{}},
		closeRate: 0.80, outcomes: 95, strong: "compute_heavy", weak: "ai_heavy", envName: "THAMES"},
	{Partner: cloudrouteapi.Partner{Name: "Bengaluru Scale Labs", Tier: "advanced", Regions: []string{"india", "mena"},
		Verticals: []string{"b2b_saas", "ecommerce", "fintech"}, Capacity: 12, CommissionBPS: 900, Status: "active",
		ContactEmail: "cloud@scale-labs.example.in", ExcludedAxisValues: map[string][]string{"engagement_type": {"migrate"}}},
		closeRate: 0.66, outcomes: 60, strong: "compute_heavy", weak: "data_heavy", envName: "BENGALURU"},
	{Partner: cloudrouteapi.Partner{Name: "Pacific Edge Systems", Tier: "advanced", Regions: []string{"us_west"},
		Verticals: []string{"gaming", "deep_tech", "other"}, Capacity: 8, CommissionBPS: 1000, Status: "paused",
		ContactEmail: "hello@pacific-edge.example.com", ExcludedAxisValues: map[string][]string{}},
		closeRate: 0.73, outcomes: 45, strong: "edge_heavy", weak: "data_heavy", envName: "PACIFIC_EDGE"},
	{Partner: cloudrouteapi.Partner{Name: "Brightpath Consulting", Tier: "select", Regions: []string{"us_east", "uk"},
		Verticals: []string{"b2b_saas"}, Capacity: 10, CommissionBPS: 1000, Status: "active",
		ContactEmail: "team@brightpath.example.com", ExcludedAxisValues: map[string][]string{}}, envName: "BRIGHTPATH"},
	{Partner: cloudrouteapi.Partner{Name: "Garage Cloud Co", Tier: "registered", Regions: []string{"eu"},
		Verticals: []string{"other"}, Capacity: 5, CommissionBPS: 1000, Status: "active",
		ContactEmail: "founders@garage-cloud.example.eu", ExcludedAxisValues: map[string][]string{}}, envName: "GARAGE"},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "seeddemo:", err)
		os.Exit(1)
	}
}

func envOr(getenv func(string) string, def string, keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
	}
	return def
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seeddemo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiURL := fs.String("api-url", envOr(getenv, "http://localhost:8080", "API_URL"), "the API's base URL; $API_URL when set")
	adminKey := fs.String("admin-key", envOr(getenv, "", "ADMIN_KEY", "CLOUDROUTE_BOOTSTRAP_ADMIN_KEY"),
		"an admin API key; $ADMIN_KEY, else $CLOUDROUTE_BOOTSTRAP_ADMIN_KEY")
	seed := fs.Uint64("seed", 1, "seed of the invented track records (the same seed gives the same outcomes, relative to today)")
	keysFile := fs.String("keys-file", ".run/demo-keys.env", "file to write the partner keys to, as shell variables (mode 0600); empty: do not write")
	wait := fs.Duration("wait", 30*time.Second, "how long to wait for GET /readyz to answer 200")
	aceEndpoint := fs.String("ace-endpoint", envOr(getenv, "", "ACE_SIM_URL"),
		"the Partner Central simulator to connect the demo partners to; $ACE_SIM_URL when set; empty: none")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if *adminKey == "" {
		return errors.New("an admin key is required: --admin-key, $ADMIN_KEY or $CLOUDROUTE_BOOTSTRAP_ADMIN_KEY")
	}
	c := cloudrouteapi.New(*apiURL, *adminKey, &http.Client{Timeout: 60 * time.Second})

	if err := waitReady(ctx, c, *wait); err != nil {
		return err
	}
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := c.Do(ctx, http.MethodGet, "/v1/admin/partners?limit=1", nil, http.StatusOK, &page); err != nil {
		return err
	}
	if len(page.Items) > 0 {
		fmt.Fprintln(stdout, "seed-demo: already seeded (the API holds partners)")
		return seedUsers(ctx, c, stdout)
	}

	fmt.Fprintf(stdout, "seed-demo: seeding %s\n", c.BaseURL)
	rng := rand.New(rand.NewPCG(*seed, 0x5eed))
	now := time.Now().UTC()
	type issued struct {
		spec partnerSpec
		id   string
		key  string
	}
	var out []issued
	for i, p := range partners {
		var created cloudrouteapi.Created
		if err := c.Do(ctx, http.MethodPost, "/v1/admin/partners", p.Partner, http.StatusCreated, &created); err != nil {
			return fmt.Errorf("create partner %q: %w", p.Name, err)
		}
		fmt.Fprintf(stdout, "seed-demo: [%d/%d] partner %-28s %-10s %-6s regions=%s id=%s\n", i+1, len(partners), p.Name,
			p.Tier, p.Status, strings.Join(p.Regions, ","), created.ID)
		if p.outcomes > 0 {
			rows := trackRecord(rng, p, now)
			var res cloudrouteapi.Imported
			if err := c.Do(ctx, http.MethodPost, "/v1/admin/partners/"+created.ID+"/track-record", rows, http.StatusCreated, &res); err != nil {
				return fmt.Errorf("import the track record of %q: %w", p.Name, err)
			}
			won := 0
			for _, r := range rows {
				if r.Outcome == "approved" {
					won++
				}
			}
			fmt.Fprintf(stdout, "seed-demo:        track record: %d outcomes imported, %d approved\n", res.Imported, won)
		}
		var key struct {
			Key string `json:"key"`
		}
		if err := c.Do(ctx, http.MethodPost, "/v1/admin/partners/"+created.ID+"/api-keys", map[string]string{"label": "demo"},
			http.StatusCreated, &key); err != nil {
			return fmt.Errorf("issue a key for %q: %w", p.Name, err)
		}
		out = append(out, issued{spec: p, id: created.ID, key: key.Key})
	}

	fmt.Fprintln(stdout, "\nseed-demo: partner API keys (shown once; use as Authorization: Bearer <key>):")
	for _, o := range out {
		note := ""
		switch {
		case o.spec.Tier != "advanced" && o.spec.Tier != "premier":
			note = " (not routable: tier gate)"
		case o.spec.Status == "paused":
			note = " (paused)"
		}
		fmt.Fprintf(stdout, "  %-28s %s%s\n", o.spec.Name, o.key, note)
	}
	if *keysFile != "" {
		var b strings.Builder
		fmt.Fprintf(&b, "# CloudRoute demo partner keys for %s, written by scripts/seeddemo on %s.\n", c.BaseURL, now.Format(time.RFC3339))
		fmt.Fprintf(&b, "# Development data only. Use: . %s; curl -H \"Authorization: Bearer $PARTNER_KEY\" ...\n", *keysFile)
		for i, o := range out {
			fmt.Fprintf(&b, "# %s: %s, %s, regions %s, partner id %s\n", o.spec.Name, o.spec.Tier, o.spec.Status,
				strings.Join(o.spec.Regions, ","), o.id)
			fmt.Fprintf(&b, "PARTNER_KEY_%s=%s\n", o.spec.envName, o.key)
			if i == 0 {
				fmt.Fprintf(&b, "PARTNER_KEY=%s\n", o.key)
			}
		}
		if err := os.MkdirAll(filepath.Dir(*keysFile), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(*keysFile, []byte(b.String()), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "seed-demo: keys written to %s\n", *keysFile)
	}
	if *aceEndpoint != "" {
		var connected []aceDemoPartner
		for _, o := range out {
			if (o.spec.Tier == "advanced" || o.spec.Tier == "premier") && o.spec.Status == "active" {
				connected = append(connected, aceDemoPartner{name: o.spec.Name, id: o.id, key: o.key})
			}
		}
		// The sync is a demo on top of the seed: its failure leaves the
		// seed as it is.
		if err := connectACE(ctx, *apiURL, *aceEndpoint, connected, stdout); err != nil {
			fmt.Fprintf(stdout, "seed-demo: warning: the ACE demo is not set up: %v\n", err)
		} else if err := aceDemoEngagement(ctx, *apiURL, *aceEndpoint, connected, stdout); err != nil {
			fmt.Fprintf(stdout, "seed-demo: warning: the ACE demo engagement is not filed: %v\n", err)
		}
	}
	if err := seedUsers(ctx, c, stdout); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "seed-demo: done; the worker folds the track records into the routing index in the background")
	return nil
}

// The demo's console accounts. Their passwords are public, like the
// development admin key: they exist for a newcomer to sign in at
// /console/sign-in, on a laptop.
const (
	DemoAdminEmail      = "admin@cloudroute.example"
	DemoAdminPassword   = "demo-curator-harbor-lantern-4821"
	DemoPartnerEmail    = "alliances@northwind-cloud.example.com"
	DemoPartnerPassword = "demo-alliances-amber-orchid-7305"
	// demoPartnerName is the partner the demo partner user belongs to.
	demoPartnerName = "Northwind Cloud Partners"
)

// seedUsers makes sure the demo admin and the demo partner user exist,
// through the API as an admin would: an invitation each, accepted with the
// demo password. Accounts that exist already are left as they are.
func seedUsers(ctx context.Context, c *cloudrouteapi.Client, stdout io.Writer) error {
	var users struct {
		Items []struct {
			Email string `json:"email"`
		} `json:"items"`
	}
	if err := c.Do(ctx, http.MethodGet, "/v1/admin/users", nil, http.StatusOK, &users); err != nil {
		return err
	}
	have := map[string]bool{}
	for _, u := range users.Items {
		have[u.Email] = true
	}
	var partners struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := c.Do(ctx, http.MethodGet, "/v1/admin/partners?limit=200", nil, http.StatusOK, &partners); err != nil {
		return err
	}
	partnerID := ""
	for _, p := range partners.Items {
		if p.Name == demoPartnerName {
			partnerID = p.ID
		}
	}
	accounts := []struct {
		email, password, name, role, partnerID string
	}{
		{DemoAdminEmail, DemoAdminPassword, "Demo curator", "admin", ""},
		{DemoPartnerEmail, DemoPartnerPassword, "Demo alliances team", "partner", partnerID},
	}
	for _, a := range accounts {
		if have[a.email] {
			continue
		}
		if a.role == "partner" && a.partnerID == "" {
			fmt.Fprintf(stdout, "seed-demo: no partner named %s; the demo partner user is not created\n", demoPartnerName)
			continue
		}
		body := map[string]string{"email": a.email, "name": a.name, "role": a.role}
		if a.partnerID != "" {
			body["partner_id"] = a.partnerID
		}
		var inv struct {
			URL string `json:"invitation_url"`
		}
		if err := c.Do(ctx, http.MethodPost, "/v1/admin/users", body, http.StatusCreated, &inv); err != nil {
			return fmt.Errorf("inviting %s: %w", a.email, err)
		}
		_, token, ok := strings.Cut(inv.URL, "#")
		if !ok {
			return fmt.Errorf("inviting %s: the invitation link %q has no code", a.email, inv.URL)
		}
		if err := c.Do(ctx, http.MethodPost, "/v1/invitations/accept", map[string]string{"token": token, "password": a.password},
			http.StatusOK, nil); err != nil {
			return fmt.Errorf("setting the password of %s: %w", a.email, err)
		}
		fmt.Fprintf(stdout, "seed-demo: console user %s (%s) created\n", a.email, a.role)
	}
	return nil
}

// trackRecord invents p.outcomes past outcomes for partner p: its regions,
// mostly its verticals, founders and portfolio pools with amounts in their
// ranges, decided within the last 300 days, approved with roughly
// p.closeRate (better on p.strong, worse on p.weak).
func trackRecord(rng *rand.Rand, p partnerSpec, now time.Time) []cloudrouteapi.Outcome {
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	rows := make([]cloudrouteapi.Outcome, 0, p.outcomes)
	for range p.outcomes {
		o := cloudrouteapi.Outcome{
			Region:         pick(p.Regions),
			Stage:          pick(stages),
			ServiceProfile: pick(serviceProfiles),
			EngagementType: "build",
			FundingSource:  "founders",
		}
		if rng.Float64() < 0.8 {
			o.Vertical = pick(p.Verticals)
		} else {
			o.Vertical = pick(verticals)
		}
		if rng.Float64() < 0.3 {
			o.EngagementType = "migrate"
		}
		if rng.Float64() < 0.35 {
			o.FundingSource = "portfolio"
		}
		// Decided 1 to 300 days ago, submitted 10 to 30 days before that.
		decided := now.Add(-time.Duration(1+rng.IntN(300)) * 24 * time.Hour).Add(-time.Duration(rng.IntN(24*60)) * time.Minute)
		submitted := decided.Add(-time.Duration(10+rng.IntN(21)) * 24 * time.Hour)
		o.DecidedAt = decided.Truncate(time.Second).Format(time.RFC3339)
		o.SubmittedAt = submitted.Truncate(time.Second).Format(time.RFC3339)

		lo, hi, step := int64(5_000), int64(25_000), int64(500)
		if o.FundingSource == "portfolio" {
			lo, hi, step = 50_000, 100_000, 5_000
		}
		o.RequestedUSD = lo + step*rng.Int64N((hi-lo)/step+1)

		pr := p.closeRate
		switch o.ServiceProfile {
		case p.strong:
			pr += 0.08
		case p.weak:
			pr -= 0.15
		}
		if rng.Float64() < pr {
			o.Outcome = "approved"
			o.ApprovedUSD = o.RequestedUSD
			if rng.Float64() < 0.25 { // awarded less than requested, within the pool's range
				o.ApprovedUSD = max(lo, (o.RequestedUSD*int64(60+rng.IntN(31))/100)/step*step)
			}
		} else {
			o.Outcome = "rejected"
			o.ApprovedUSD = 0
		}
		rows = append(rows, o)
	}
	return rows
}

// waitReady polls GET /readyz until it answers 200, for at most d.
func waitReady(ctx context.Context, c *cloudrouteapi.Client, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/readyz", nil)
		if err != nil {
			return err
		}
		resp, err := c.HTTP.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("%s/readyz does not answer (is the server running?): %w", c.BaseURL, err)
			}
			return fmt.Errorf("%s/readyz answers %s", c.BaseURL, resp.Status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
