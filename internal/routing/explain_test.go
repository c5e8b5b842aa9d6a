package routing

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// workedExample is the example of docs/routing.md: keep the two in step.
func workedExample() []Partner {
	cells := func(c ...Cell) [numAxes]Cell { return [numAxes]Cell{c[0], c[1], c[2], c[3], c[4]} }
	t := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic("worked example: " + err.Error())
		}
		return &v
	}
	atlas := Partner{ID: "atlas", Name: "Atlas Cloud", Tier: "advanced", Status: "active", Regions: []string{"us_east", "us_west"},
		Capacity: 10, OpenAssignments: 4, LastOfferedAt: t("2026-03-02T10:00:00Z"),
		Cells:   cells(Cell{18, 20}, Cell{27, 30}, Cell{0, 1}, Cell{9, 10}, Cell{22, 25}),
		Overall: Cell{45, 50}, MedianDaysToApproval: ptr(14.0), OffersReceived: 10, Declines: 1}
	beacon := Partner{ID: "beacon", Name: "Beacon Labs", Tier: "premier", Status: "active", Regions: []string{"us_east"},
		Capacity: 5, Cells: cells(Cell{1, 1}, Cell{1, 1}, Cell{1, 1}, Cell{1, 1}, Cell{1, 1}),
		Overall: Cell{1, 1}, MedianDaysToApproval: ptr(9.0)}
	cirrus := Partner{ID: "cirrus", Name: "Cirrus Works", Tier: "advanced", Status: "active", Regions: []string{"us_east", "eu"},
		Capacity: 20, OpenAssignments: 12, LastOfferedAt: t("2026-02-20T16:30:00Z"),
		Cells:   cells(Cell{12, 20}, Cell{30, 50}, Cell{2, 4}, Cell{10, 15}, Cell{25, 40}),
		Overall: Cell{60, 100}, MedianDaysToApproval: ptr(21.0), OffersReceived: 20, Declines: 4, Expiries: 2}
	drift := Partner{ID: "drift", Name: "Drift Ops", Tier: "premier", Status: "paused", Regions: []string{"us_east"},
		Capacity: 10, Cells: cells(Cell{20, 25}, Cell{40, 50}, Cell{9, 10}, Cell{12, 15}, Cell{30, 40}),
		Overall: Cell{80, 100}, MedianDaysToApproval: ptr(12.0), OffersReceived: 5}
	ember := Partner{ID: "ember", Name: "Ember IT", Tier: "select", Status: "active", Regions: []string{"us_east"}, Capacity: 10}
	return []Partner{atlas, beacon, cirrus, drift, ember}
}

func TestWorkedExample(t *testing.T) {
	d := Decide(intake, workedExample(), DefaultParams())

	if diff := cmp.Diff(Filtered{Paused: 1, Tier: 1}, d.Filtered); diff != "" {
		t.Errorf("filtered (-want +got):\n%s", diff)
	}
	if !near(d.Pool.Overall.Rate, 0.731801) || d.Pool.Overall.Wins != 186 || d.Pool.Overall.Decided != 251 {
		t.Errorf("pool overall %+v, want 186/251 shrunk to 0.731801", d.Pool.Overall)
	}
	wantPool := []struct {
		wins, decided int
		rate          float64
	}{{51, 66, 0.767342}, {98, 131, 0.746936}, {12, 16, 0.743000}, {32, 41, 0.770941}, {78, 106, 0.735500}}
	for a, w := range wantPool {
		got := d.Pool.Axes[a]
		if got.Wins != w.wins || got.Decided != w.decided || !near(got.Rate, w.rate) || got.Value != intake.AxisValue(got.Axis) {
			t.Errorf("pool %s = %+v, want %d/%d rate %.6f", got.Axis, got, w.wins, w.decided, w.rate)
		}
	}

	type want struct {
		cells                    [5][3]float64 // prior, shrunk, std error
		overallShrunk, score     float64
		confidence, resp, rankSc float64
		band                     string
	}
	wants := map[string]want{
		"atlas": {[5][3]float64{
			{0.862098, 0.887366, 0.089803}, {0.856267, 0.889067, 0.078087}, {0.855143, 0.777403, 0.144338},
			{0.863126, 0.881563, 0.109109}, {0.853000, 0.872286, 0.083333}},
			0.851943, 0.861537, 0.129357, 0.003333, 0.729, BandAbove},
		"beacon": {[5][3]float64{
			{0.778421, 0.798565, 0.144338}, {0.758987, 0.780897, 0.144338}, {0.755238, 0.777489, 0.144338},
			{0.781849, 0.801681, 0.144338}, {0.748095, 0.770996, 0.144338}},
			0.744572, 0.785926, 0.184983, 0, 0.601, BandAbove},
		"cirrus": {[5][3]float64{
			{0.627890, 0.609297, 0.089803}, {0.624489, 0.604082, 0.064018}, {0.623833, 0.588452, 0.129099},
			{0.628490, 0.651396, 0.098058}, {0.622583, 0.624517, 0.070014}},
			0.621967, 0.615549, 0.115598, 0.012, 0.488, BandBelow},
	}
	if diff := cmp.Diff([]string{"atlas", "beacon", "cirrus"}, ids(d)); diff != "" {
		t.Fatalf("ranking (-want +got):\n%s", diff)
	}
	for _, c := range d.Candidates {
		t.Run(c.PartnerID, func(t *testing.T) {
			w := wants[c.PartnerID]
			for a, wc := range w.cells {
				got := c.Cells[a]
				if !near(got.Prior, wc[0]) || !near(got.ShrunkRate, wc[1]) || !near(got.StdError, wc[2]) {
					t.Errorf("%s cell: prior %.6f shrunk %.6f se %.6f, want %v", got.Axis, got.Prior, got.ShrunkRate, got.StdError, wc)
				}
			}
			if !near(c.Overall.ShrunkRate, w.overallShrunk) || !near(c.Score, w.score) || !near(c.ConfidencePenalty, w.confidence) ||
				!near(c.Responsiveness.Penalty, w.resp) || c.RankingScore != w.rankSc || c.Band != w.band {
				t.Errorf("got overall %.6f score %.6f confidence %.6f responsiveness %.6f ranking %v band %s, want %+v",
					c.Overall.ShrunkRate, c.Score, c.ConfidencePenalty, c.Responsiveness.Penalty, c.RankingScore, c.Band, w)
			}
		})
	}
	if c, ok := d.Chosen(); !ok || c.PartnerID != "atlas" || d.ChosenPartnerID == nil || *d.ChosenPartnerID != "atlas" {
		t.Errorf("chosen %v, want atlas", d.ChosenPartnerID)
	}
}

// TestExplanationHasEveryNumber reads the stored form of a decision, as an
// admin would, and recomputes every score from the numbers in it alone.
func TestExplanationHasEveryNumber(t *testing.T) {
	b, err := json.Marshal(Decide(intake, workedExample(), DefaultParams()))
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Params             map[string]float64 `json:"params"`
		PartnersConsidered *int               `json:"partners_considered"`
		Filtered           map[string]int     `json:"filtered"`
		Pool               struct {
			Axes    []map[string]any `json:"axes"`
			Overall map[string]any   `json:"overall"`
		} `json:"pool"`
		Candidates      []map[string]any `json:"candidates"`
		ChosenPartnerID *string          `json:"chosen_partner_id"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}

	wantParams := map[string]float64{"threshold": 0.70, "neutral_rate": 0.5, "pool_strength": 10, "partner_strength": 20,
		"cell_strength": 10, "confidence_z": 1.2816, "responsiveness_weight": 0.05, "responsiveness_strength": 5, "ranking_resolution": 0.001}
	if diff := cmp.Diff(wantParams, e.Params); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"paused": 1, "tier": 1, "region": 0, "capacity": 0, "excluded": 0, "previously_assigned": 0}, e.Filtered); diff != "" {
		t.Errorf("filtered (-want +got):\n%s", diff)
	}
	if e.PartnersConsidered == nil || *e.PartnersConsidered != 5 {
		t.Errorf("partners_considered = %v, want 5", e.PartnersConsidered)
	}

	num := func(m map[string]any, k string) float64 {
		t.Helper()
		v, ok := m[k].(float64)
		if !ok {
			t.Fatalf("%q is %v in %v, want a number", k, m[k], m)
		}
		return v
	}
	check := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %v, recomputed %v", what, got, want)
		}
	}
	p := e.Params
	shrink := func(w, d, prior, k float64) float64 { return (w + k*prior) / (d + k) }

	po := e.Pool.Overall
	check("pool overall rate", num(po, "rate"), shrink(num(po, "wins"), num(po, "decided"), p["neutral_rate"], p["pool_strength"]))
	check("pool overall raw rate", num(po, "raw_rate"), num(po, "wins")/num(po, "decided"))
	poolRate := map[string]float64{}
	for _, a := range e.Pool.Axes {
		axis := a["axis"].(string)
		if a["value"] != intake.AxisValue(axis) {
			t.Errorf("pool %s value %v, want %s", axis, a["value"], intake.AxisValue(axis))
		}
		check("pool "+axis+" prior", num(a, "prior"), num(po, "rate"))
		check("pool "+axis+" rate", num(a, "rate"), shrink(num(a, "wins"), num(a, "decided"), num(po, "rate"), p["pool_strength"]))
		poolRate[axis] = num(a, "rate")
	}
	if len(poolRate) != 5 {
		t.Fatalf("pool has %d axes, want 5", len(poolRate))
	}

	if len(e.Candidates) != 3 || e.ChosenPartnerID == nil || *e.ChosenPartnerID != e.Candidates[0]["partner_id"] {
		t.Fatalf("%d candidates, chosen %v", len(e.Candidates), e.ChosenPartnerID)
	}
	for i, c := range e.Candidates {
		id := c["partner_id"].(string)
		for _, k := range []string{"name", "tier", "band", "median_days_to_approval", "last_offered_at"} {
			if _, ok := c[k]; !ok {
				t.Errorf("%s: no %q", id, k)
			}
		}
		if int(num(c, "rank")) != i+1 {
			t.Errorf("%s: rank %v at position %d", id, c["rank"], i)
		}
		o := c["overall"].(map[string]any)
		check(id+" overall shrunk", num(o, "shrunk_rate"), shrink(num(o, "wins"), num(o, "decided"), num(o, "prior"), p["partner_strength"]))
		check(id+" overall prior", num(o, "prior"), num(po, "rate"))
		var sum, se float64
		cells := c["cells"].([]any)
		if len(cells) != 5 {
			t.Fatalf("%s: %d cells, want 5", id, len(cells))
		}
		for _, x := range cells {
			cell := x.(map[string]any)
			axis := cell["axis"].(string)
			w, d := num(cell, "wins"), num(cell, "decided")
			if d > 0 {
				check(id+" "+axis+" raw", num(cell, "raw_rate"), w/d)
			} else if cell["raw_rate"] != nil {
				t.Errorf("%s %s: raw_rate %v with nothing decided, want null", id, axis, cell["raw_rate"])
			}
			check(id+" "+axis+" prior", num(cell, "prior"), shrink(num(o, "wins"), num(o, "decided"), poolRate[axis], p["partner_strength"]))
			check(id+" "+axis+" shrunk", num(cell, "shrunk_rate"), shrink(w, d, num(cell, "prior"), p["cell_strength"]))
			check(id+" "+axis+" std error", num(cell, "std_error"), 0.5/math.Sqrt(d+p["cell_strength"]+1))
			sum += num(cell, "shrunk_rate")
			se += num(cell, "std_error")
		}
		check(id+" score", num(c, "score"), sum/5)
		check(id+" confidence penalty", num(c, "confidence_penalty"), p["confidence_z"]*se/5)
		r := c["responsiveness"].(map[string]any)
		offers, missed := num(r, "offers_received"), num(r, "declines")+num(r, "expiries")
		check(id+" responsiveness penalty", num(r, "penalty"), p["responsiveness_weight"]*math.Min(1, missed/(offers+p["responsiveness_strength"])))
		if offers > 0 {
			check(id+" responsiveness rate", num(r, "rate"), missed/offers)
		}
		raw := num(c, "score") - num(c, "confidence_penalty") - num(r, "penalty")
		check(id+" ranking score", num(c, "ranking_score"), math.Round(raw/p["ranking_resolution"])*p["ranking_resolution"])
		if band := c["band"]; (num(c, "score") >= p["threshold"]) != (band == "above") {
			t.Errorf("%s: band %v with score %v", id, band, num(c, "score"))
		}
	}
}
