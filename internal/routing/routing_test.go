package routing

import (
	"encoding/json"
	"math"
	"math/rand"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var intake = Intake{Stage: "series_a", Region: "us_east", Vertical: "b2b_saas", ServiceProfile: "ai_heavy", EngagementType: "build"}

// partner returns a routable partner for intake with the given record: one
// cell for every axis, and overall equal to that cell unless given.
func partner(id string, cell Cell, overall ...Cell) Partner {
	o := cell
	if len(overall) > 0 {
		o = overall[0]
	}
	return Partner{
		ID: id, Name: "Partner " + id, Tier: "advanced", Status: "active",
		Regions: []string{"eu", "us_east"}, Capacity: 10, OpenAssignments: 2,
		Cells:   [numAxes]Cell{cell, cell, cell, cell, cell},
		Overall: o,
	}
}

func ids(d Decision) []string {
	out := []string{}
	for _, c := range d.Candidates {
		out = append(out, c.PartnerID)
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 5e-7 }

func ptr[T any](v T) *T { return &v }

func TestAxisValue(t *testing.T) {
	want := map[string]string{"stage": "series_a", "region": "us_east", "vertical": "b2b_saas",
		"service_profile": "ai_heavy", "engagement_type": "build", "tier": ""}
	for axis, v := range want {
		if got := intake.AxisValue(axis); got != v {
			t.Errorf("AxisValue(%q) = %q, want %q", axis, got, v)
		}
	}
}

func TestFilterReason(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Partner)
		want string
	}{
		{"candidate", func(*Partner) {}, ""},
		{"premier passes", func(p *Partner) { p.Tier = "premier" }, ""},
		{"paused", func(p *Partner) { p.Status = "paused" }, ReasonPaused},
		{"unknown status counts as paused", func(p *Partner) { p.Status = "" }, ReasonPaused},
		{"registered tier", func(p *Partner) { p.Tier = "registered" }, ReasonTier},
		{"select tier", func(p *Partner) { p.Tier = "select" }, ReasonTier},
		{"region not served", func(p *Partner) { p.Regions = []string{"eu", "uk"} }, ReasonRegion},
		{"no regions", func(p *Partner) { p.Regions = nil }, ReasonRegion},
		{"at capacity", func(p *Partner) { p.OpenAssignments = 10 }, ReasonCapacity},
		{"over capacity", func(p *Partner) { p.OpenAssignments = 11 }, ReasonCapacity},
		{"zero capacity", func(p *Partner) { p.Capacity, p.OpenAssignments = 0, 0 }, ReasonCapacity},
		{"one below capacity", func(p *Partner) { p.OpenAssignments = 9 }, ""},
		{"excluded stage", func(p *Partner) { p.ExcludedAxisValues = map[string][]string{"stage": {"seed", "series_a"}} }, ReasonExcluded},
		{"excluded region", func(p *Partner) { p.ExcludedAxisValues = map[string][]string{"region": {"us_east"}} }, ReasonExcluded},
		{"excluded vertical", func(p *Partner) { p.ExcludedAxisValues = map[string][]string{"vertical": {"b2b_saas"}} }, ReasonExcluded},
		{"excluded service profile", func(p *Partner) { p.ExcludedAxisValues = map[string][]string{"service_profile": {"ai_heavy"}} }, ReasonExcluded},
		{"excluded engagement type", func(p *Partner) { p.ExcludedAxisValues = map[string][]string{"engagement_type": {"build"}} }, ReasonExcluded},
		{"exclusion of other values", func(p *Partner) {
			p.ExcludedAxisValues = map[string][]string{"stage": {"seed"}, "vertical": {"gaming"}, "engagement_type": {"migrate"}}
		}, ""},
		{"previously assigned", func(p *Partner) { p.PreviouslyAssigned = true }, ReasonPreviouslyAssigned},
		{"paused before tier", func(p *Partner) { p.Status, p.Tier = "paused", "select" }, ReasonPaused},
		{"tier before region", func(p *Partner) { p.Tier, p.Regions = "select", nil }, ReasonTier},
		{"region before capacity", func(p *Partner) { p.Regions, p.OpenAssignments = nil, 10 }, ReasonRegion},
		{"capacity before excluded", func(p *Partner) {
			p.OpenAssignments, p.ExcludedAxisValues = 10, map[string][]string{"stage": {"series_a"}}
		}, ReasonCapacity},
		{"excluded before previously assigned", func(p *Partner) {
			p.ExcludedAxisValues, p.PreviouslyAssigned = map[string][]string{"stage": {"series_a"}}, true
		}, ReasonExcluded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := partner("a", Cell{8, 10})
			tt.edit(&p)
			if got := FilterReason(intake, p); got != tt.want {
				t.Fatalf("FilterReason = %q, want %q", got, tt.want)
			}
			// Decide agrees, and counts the reason.
			d := Decide(intake, []Partner{p}, DefaultParams())
			var want Filtered
			want.add(tt.want)
			if diff := cmp.Diff(want, d.Filtered); diff != "" {
				t.Errorf("Filtered (-want +got):\n%s", diff)
			}
			if gotCand := len(d.Candidates) == 1; gotCand != (tt.want == "") {
				t.Errorf("candidates = %v, want candidate %v", ids(d), tt.want == "")
			}
		})
	}
}

func TestFilteredCounts(t *testing.T) {
	var ps []Partner
	add := func(n int, id string, edit func(*Partner)) {
		for i := range n {
			p := partner(id+strconv.Itoa(i), Cell{8, 10})
			edit(&p)
			ps = append(ps, p)
		}
	}
	add(3, "paused", func(p *Partner) { p.Status = "paused"; p.Tier = "registered" })
	add(2, "tier", func(p *Partner) { p.Tier = "select" })
	add(4, "region", func(p *Partner) { p.Regions = []string{"apac"}; p.PreviouslyAssigned = true })
	add(1, "capacity", func(p *Partner) { p.OpenAssignments = p.Capacity })
	add(5, "excluded", func(p *Partner) { p.ExcludedAxisValues = map[string][]string{"vertical": {"b2b_saas"}} })
	add(6, "again", func(p *Partner) { p.PreviouslyAssigned = true })
	add(2, "ok", func(*Partner) {})

	if diff := cmp.Diff([]string{"paused", "tier", "region", "capacity", "excluded", "previously_assigned"}, Reasons); diff != "" {
		t.Errorf("Reasons (-want +got):\n%s", diff)
	}
	d := Decide(intake, ps, DefaultParams())
	want := Filtered{Paused: 3, Tier: 2, Region: 4, Capacity: 1, Excluded: 5, PreviouslyAssigned: 6}
	if diff := cmp.Diff(want, d.Filtered); diff != "" {
		t.Errorf("Filtered (-want +got):\n%s", diff)
	}
	if d.Filtered.Total() != 21 || d.PartnersConsidered != 23 {
		t.Errorf("total filtered %d of %d, want 21 of 23", d.Filtered.Total(), d.PartnersConsidered)
	}
	if diff := cmp.Diff([]string{"ok0", "ok1"}, ids(d)); diff != "" {
		t.Errorf("candidates (-want +got):\n%s", diff)
	}
	// Filtered partners still count in the pool: 23 partners of 8/10.
	if d.Pool.Overall.Wins != 184 || d.Pool.Overall.Decided != 230 || d.Pool.Axes[0].Decided != 230 {
		t.Errorf("pool = %+v, want 184/230 overall and 230 decided on stage", d.Pool)
	}
}

func TestPoolAndPriors(t *testing.T) {
	t.Run("empty index is neutral", func(t *testing.T) {
		d := Decide(intake, []Partner{partner("a", Cell{}), partner("b", Cell{})}, Params{Threshold: 0.5})
		if d.Pool.Overall.Rate != NeutralRate || d.Pool.Overall.RawRate != nil {
			t.Fatalf("pool overall = %+v, want rate 0.5 and no raw rate", d.Pool.Overall)
		}
		for _, c := range d.Candidates {
			if c.Score != 0.5 || c.Band != BandAbove {
				t.Errorf("%s: score %v band %s, want exactly 0.5 and above (threshold is inclusive)", c.PartnerID, c.Score, c.Band)
			}
		}
		d = Decide(intake, []Partner{partner("a", Cell{})}, Params{Threshold: 0.5000001})
		if d.Candidates[0].Band != BandBelow {
			t.Errorf("band = %s at threshold 0.5000001, want below", d.Candidates[0].Band)
		}
	})
	t.Run("pool backs off to its overall rate", func(t *testing.T) {
		// Paused partner with 30/40 overall, nothing on series_a.
		p := partner("p", Cell{30, 40})
		p.Status = "paused"
		p.Cells[AxisIndex("stage")] = Cell{}
		d := Decide(intake, []Partner{p, partner("a", Cell{})}, DefaultParams())
		overall := (30 + 10*0.5) / (40 + 10.0) // 0.7
		if !near(d.Pool.Overall.Rate, overall) || !near(d.Pool.Axes[0].Rate, overall) {
			t.Errorf("pool overall %v, stage %v; want both %v", d.Pool.Overall.Rate, d.Pool.Axes[0].Rate, overall)
		}
		region := (30 + 10*overall) / (40 + 10.0) // 0.74
		if !near(d.Pool.Axes[1].Rate, region) || d.Pool.Axes[1].Prior != d.Pool.Overall.Rate {
			t.Errorf("pool region %+v, want rate %v with the overall rate as prior", d.Pool.Axes[1], region)
		}
		// The partner with no record takes the pool's rate on each value.
		c := d.Candidates[0]
		if !near(c.Cells[0].ShrunkRate, overall) || !near(c.Cells[1].ShrunkRate, region) {
			t.Errorf("cells %+v, want stage %v and region %v", c.Cells, overall, region)
		}
	})
	t.Run("malformed cells are clamped", func(t *testing.T) {
		p := partner("a", Cell{Wins: 12, Decided: 10}, Cell{Wins: -3, Decided: -1})
		d := Decide(intake, []Partner{p}, DefaultParams())
		c := d.Candidates[0]
		if c.Cells[0].Wins != 10 || *c.Cells[0].RawRate != 1 || c.Overall.Decided != 0 || c.Overall.RawRate != nil {
			t.Errorf("cells %+v overall %+v, want wins clamped to 10 and an empty overall", c.Cells[0], c.Overall)
		}
	})
}

// TestAboveBeatsBelow: the band decides first, even when the below-band
// partner has far more evidence and a higher ranking score.
func TestAboveBeatsBelow(t *testing.T) {
	tests := []struct {
		name      string
		threshold float64
		above     Partner
		below     Partner
	}{
		{"thin just-above vs rich just-below", 0.70,
			partner("thin", Cell{1, 1}, Cell{7, 10}), partner("rich", Cell{690, 1000})},
		{"high threshold", 0.85,
			partner("thin", Cell{2, 2}, Cell{9, 10}), partner("rich", Cell{8400, 10000})},
		{"below has the better speed and rotation", 0.70,
			partner("thin", Cell{1, 1}, Cell{7, 10}), func() Partner {
				p := partner("rich", Cell{690, 1000})
				p.MedianDaysToApproval = ptr(1.0)
				return p
			}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(intake, []Partner{tt.below, tt.above}, Params{Threshold: tt.threshold})
			if diff := cmp.Diff([]string{"thin", "rich"}, ids(d)); diff != "" {
				t.Fatalf("ranking (-want +got):\n%s\n%+v", diff, d.Candidates)
			}
			a, b := d.Candidates[0], d.Candidates[1]
			if a.Band != BandAbove || b.Band != BandBelow {
				t.Errorf("bands %s, %s; want above, below", a.Band, b.Band)
			}
			if !(b.RankingScore > a.RankingScore) {
				t.Errorf("the case is not testing anything: below ranks %v, above %v", b.RankingScore, a.RankingScore)
			}
		})
	}
	t.Run("concrete scores", func(t *testing.T) {
		d := Decide(intake, []Partner{partner("rich", Cell{690, 1000}), partner("thin", Cell{1, 1}, Cell{7, 10})}, DefaultParams())
		// Pool overall (697+5)/(1010+10) = 0.688235, the same on every
		// axis value. thin: prior (7+20*0.688235)/30 = 0.692157, cells
		// (1+10*0.692157)/11 = 0.721961 ... see docs/routing.md.
		want := map[string][2]float64{"thin": {0.721387, 0.536}, "rich": {0.690000, 0.670}}
		for _, c := range d.Candidates {
			if !near(c.Score, want[c.PartnerID][0]) || c.RankingScore != want[c.PartnerID][1] {
				t.Errorf("%s: score %.6f ranking %v, want %v", c.PartnerID, c.Score, c.RankingScore, want[c.PartnerID])
			}
		}
	})
}

// TestConfidenceBeatsLuck: 1 win of 1 never outranks 45 of 50, whatever the
// rest of the pool looks like; the same for other thin records.
func TestConfidenceBeatsLuck(t *testing.T) {
	poolRates := []float64{-1, 0, 0.25, 0.5, 0.7, 0.9, 0.95, 0.99, 1}
	tests := []struct {
		name        string
		thin, solid Cell
		rates       []float64
	}{
		{"1/1 vs 45/50", Cell{1, 1}, Cell{45, 50}, poolRates},
		{"0/1 vs 40/50", Cell{0, 1}, Cell{40, 50}, poolRates},
		{"2/2 vs 45/50", Cell{2, 2}, Cell{45, 50}, []float64{-1, 0, 0.5, 0.7, 0.9}},
		{"5/5 vs 45/50", Cell{5, 5}, Cell{45, 50}, []float64{-1, 0, 0.5, 0.7, 0.8}},
		{"3/3 vs 40/50", Cell{3, 3}, Cell{40, 50}, []float64{-1, 0, 0.5, 0.7, 0.8}},
	}
	for _, tt := range tests {
		for _, r := range tt.rates {
			name := tt.name + " pool " + strconv.FormatFloat(r, 'f', -1, 64)
			if r < 0 {
				name = tt.name + " alone"
			}
			t.Run(name, func(t *testing.T) {
				ps := []Partner{partner("a-thin", tt.thin), partner("z-solid", tt.solid)}
				if r >= 0 {
					// The rest of the pool: paused, 10,000 outcomes at rate r.
					rest := partner("rest", Cell{int(r * 10000), 10000})
					rest.Status = "paused"
					ps = append(ps, rest)
				}
				d := Decide(intake, ps, DefaultParams())
				c, ok := d.Chosen()
				if !ok || c.PartnerID != "z-solid" {
					t.Fatalf("chosen %q, want z-solid\n%+v", c.PartnerID, d.Candidates)
				}
				if d.Candidates[0].Band != BandAbove {
					t.Errorf("solid band = %s, want above", d.Candidates[0].Band)
				}
			})
		}
	}
	t.Run("concrete 1/1 vs 45/50", func(t *testing.T) {
		d := Decide(intake, []Partner{partner("one", Cell{1, 1}), partner("many", Cell{45, 50})}, DefaultParams())
		// The lucky partner has the higher score, and the lower ranking.
		want := map[string][3]float64{
			"one":  {0.905765, 0.184983, 0.721}, // score, confidence penalty, ranking
			"many": {0.899579, 0.082046, 0.818},
		}
		for _, c := range d.Candidates {
			w := want[c.PartnerID]
			if !near(c.Score, w[0]) || !near(c.ConfidencePenalty, w[1]) || c.RankingScore != w[2] {
				t.Errorf("%s: score %.6f penalty %.6f ranking %v, want %v", c.PartnerID, c.Score, c.ConfidencePenalty, c.RankingScore, w)
			}
		}
		if diff := cmp.Diff([]string{"many", "one"}, ids(d)); diff != "" {
			t.Errorf("ranking (-want +got):\n%s", diff)
		}
	})
}

// TestThinData: a thin cell neither shuts a strong partner out on bad luck
// nor lifts a weak one on one lucky win.
func TestThinData(t *testing.T) {
	strong := partner("strong", Cell{40, 45}, Cell{90, 100})
	strong.Cells[AxisIndex("region")] = Cell{0, 1} // first, unlucky, outcome in us_east
	steady := partner("steady", Cell{30, 50})
	weak := partner("weak", Cell{8, 20}, Cell{20, 50})
	weak.Cells[AxisIndex("vertical")] = Cell{1, 1} // one lucky win in b2b_saas

	d := Decide(intake, []Partner{weak, steady, strong}, DefaultParams())
	if diff := cmp.Diff([]string{"strong", "steady", "weak"}, ids(d)); diff != "" {
		t.Fatalf("ranking (-want +got):\n%s", diff)
	}
	byID := map[string]Candidate{}
	for _, c := range d.Candidates {
		byID[c.PartnerID] = c
	}
	tests := []struct {
		name          string
		id            string
		axis          int
		shrunk, score float64
		band          string
	}{
		{"0/1 region cell of a strong partner", "strong", 1, 0.765815, 0.860876, BandAbove},
		{"1/1 vertical cell of a weak partner", "weak", 2, 0.541546, 0.447206, BandBelow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := byID[tt.id]
			if !near(c.Cells[tt.axis].ShrunkRate, tt.shrunk) || !near(c.Score, tt.score) || c.Band != tt.band {
				t.Errorf("cell %.6f score %.6f band %s; want %.6f %.6f %s",
					c.Cells[tt.axis].ShrunkRate, c.Score, c.Band, tt.shrunk, tt.score, tt.band)
			}
		})
	}
}

func TestTieBreaks(t *testing.T) {
	day := func(d int) *time.Time { t := time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC); return &t }
	same := func(id string, days *float64, last *time.Time) Partner {
		p := partner(id, Cell{40, 50})
		p.MedianDaysToApproval, p.LastOfferedAt = days, last
		return p
	}
	tests := []struct {
		name     string
		partners []Partner
		want     []string
	}{
		{"faster first", []Partner{same("a", ptr(20.0), nil), same("b", ptr(12.5), nil), same("c", ptr(12.0), nil)}, []string{"c", "b", "a"}},
		{"unknown speed last", []Partner{same("a", nil, nil), same("b", ptr(30.0), nil), same("c", ptr(math.NaN()), nil)}, []string{"b", "a", "c"}},
		{"never offered first, then longest ago", []Partner{same("a", nil, day(9)), same("b", nil, day(2)), same("c", nil, nil), same("d", nil, day(5))}, []string{"c", "b", "d", "a"}},
		{"speed before rotation", []Partner{same("a", ptr(10.0), day(9)), same("b", ptr(11.0), nil)}, []string{"a", "b"}},
		{"partner ID last", []Partner{same("c", nil, day(1)), same("a", nil, day(1)), same("b", nil, day(1))}, []string{"a", "b", "c"}},
		{"ranking score before speed", []Partner{same("slow-solid", ptr(30.0), nil), func() Partner {
			p := same("fast-thin", ptr(1.0), nil)
			p.Cells[AxisIndex("stage")] = Cell{4, 5}
			return p
		}()}, []string{"slow-solid", "fast-thin"}},
		{"scores within the resolution tie", []Partner{same("a-less", ptr(10.0), nil), func() Partner {
			// A longer overall record: ranking 0.717907 against a-less's
			// 0.717873, both 0.718 in steps of 0.001, so speed decides.
			p := same("b-more", ptr(11.0), nil)
			p.Overall = Cell{80, 100}
			return p
		}()}, []string{"a-less", "b-more"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(intake, tt.partners, DefaultParams())
			if diff := cmp.Diff(tt.want, ids(d)); diff != "" {
				t.Errorf("ranking (-want +got):\n%s", diff)
			}
			for i, c := range d.Candidates {
				if c.Rank != i+1 {
					t.Errorf("%s has rank %d at position %d", c.PartnerID, c.Rank, i)
				}
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	// Synthetic partners, with ties forced in: every fifth one copies its
	// neighbour's record, speed and last offer.
	ps := syntheticPartners(intake, 400, 7)
	for i := 5; i < len(ps); i += 5 {
		ps[i].Cells, ps[i].Overall = ps[i-1].Cells, ps[i-1].Overall
		ps[i].MedianDaysToApproval, ps[i].LastOfferedAt = ps[i-1].MedianDaysToApproval, ps[i-1].LastOfferedAt
		ps[i].OffersReceived, ps[i].Declines, ps[i].Expiries = ps[i-1].OffersReceived, ps[i-1].Declines, ps[i-1].Expiries
		ps[i].Status, ps[i].Tier, ps[i].Regions, ps[i].OpenAssignments = "active", "premier", []string{intake.Region}, 0
		ps[i-1].Status, ps[i-1].Tier, ps[i-1].Regions, ps[i-1].OpenAssignments = "active", "advanced", []string{intake.Region}, 0
	}
	want := Decide(intake, ps, DefaultParams())
	if len(want.Candidates) < 100 {
		t.Fatalf("only %d candidates; the test needs many", len(want.Candidates))
	}
	for seed := range int64(5) {
		t.Run("shuffle "+strconv.FormatInt(seed, 10), func(t *testing.T) {
			shuffled := append([]Partner(nil), ps...)
			rand.New(rand.NewSource(seed)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			got := Decide(intake, shuffled, DefaultParams())
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("decision differs after shuffling (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoCandidates(t *testing.T) {
	tests := []struct {
		name     string
		partners []Partner
	}{
		{"no partners", nil},
		{"all filtered", func() []Partner {
			a, b := partner("a", Cell{9, 10}), partner("b", Cell{9, 10})
			a.Status, b.OpenAssignments = "paused", b.Capacity
			return []Partner{a, b}
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(intake, tt.partners, DefaultParams())
			if _, ok := d.Chosen(); ok || d.ChosenPartnerID != nil {
				t.Fatalf("chosen %v, want none", d.ChosenPartnerID)
			}
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if string(m["chosen_partner_id"]) != "null" || string(m["candidates"]) != "[]" {
				t.Errorf("chosen_partner_id %s, candidates %s; want null and []", m["chosen_partner_id"], m["candidates"])
			}
		})
	}
}

func TestResponsiveness(t *testing.T) {
	tests := []struct {
		name                      string
		offers, declines, expires int
		rate                      *float64
		penalty                   float64
	}{
		{"no offers", 0, 0, 0, nil, 0},
		{"all answered", 12, 0, 0, ptr(0.0), 0},
		{"one early decline", 1, 1, 0, ptr(1.0), 0.05 * 1 / 6},
		{"ten of ten missed", 10, 6, 4, ptr(1.0), 0.05 * 10 / 15},
		{"a quarter missed", 40, 7, 3, ptr(0.25), 0.05 * 10 / 45},
		{"miscounted, capped", 1, 9, 9, ptr(18.0), 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := partner("r", Cell{36, 50})
			p.OffersReceived, p.Declines, p.Expiries = tt.offers, tt.declines, tt.expires
			d := Decide(intake, []Partner{p, partner("q", Cell{36, 50})}, DefaultParams())
			var c Candidate
			for _, x := range d.Candidates {
				if x.PartnerID == "r" {
					c = x
				}
			}
			want := Responsiveness{OffersReceived: tt.offers, Declines: tt.declines, Expiries: tt.expires, Rate: tt.rate, Penalty: tt.penalty}
			if diff := cmp.Diff(want, c.Responsiveness, cmp.Comparer(near)); diff != "" {
				t.Errorf("responsiveness (-want +got):\n%s", diff)
			}
			// The penalty moves the ranking score, never the band.
			q := d.Candidates[0]
			if q.PartnerID == "r" {
				q = d.Candidates[1]
			}
			if c.Score != q.Score || c.Band != q.Band {
				t.Errorf("score/band %v %s, want the same as an identical responsive partner (%v %s)", c.Score, c.Band, q.Score, q.Band)
			}
			if wantRank := math.Round((q.Score-q.ConfidencePenalty-tt.penalty)*1000) / 1000; c.RankingScore != wantRank {
				t.Errorf("ranking score %v, want %v", c.RankingScore, wantRank)
			}
		})
	}
}
