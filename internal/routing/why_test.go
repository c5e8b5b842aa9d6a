package routing

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestWhyChosen(t *testing.T) {
	decided := Decide(intake, workedExample(), DefaultParams())
	// The explanation as storage keeps it and reads it back.
	raw, err := json.Marshal(decided.Trimmed(StoredCandidates))
	if err != nil {
		t.Fatal(err)
	}
	var stored Decision
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	approx := cmpopts.EquateApprox(0, 5e-7)

	atlas := Why{PartnerID: "atlas", Name: "Atlas Cloud", CloseRate: 0.861537, Threshold: 0.70, AboveThreshold: true,
		Wins: 45, Decided: 50, MedianDaysToApproval: ptr(14.0), Axes: []WhyAxis{
			{"stage", "series_a", 0.887366, 18, 20},
			{"region", "us_east", 0.889067, 27, 30},
			{"vertical", "b2b_saas", 0.777403, 0, 1},
			{"service_profile", "ai_heavy", 0.881563, 9, 10},
			{"engagement_type", "build", 0.872286, 22, 25},
		}}
	beacon := Why{PartnerID: "beacon", Name: "Beacon Labs", CloseRate: 0.785926, Threshold: 0.70, AboveThreshold: true,
		Wins: 1, Decided: 1, MedianDaysToApproval: ptr(9.0), Axes: []WhyAxis{
			{"stage", "series_a", 0.798565, 1, 1},
			{"region", "us_east", 0.780897, 1, 1},
			{"vertical", "b2b_saas", 0.777489, 1, 1},
			{"service_profile", "ai_heavy", 0.801681, 1, 1},
			{"engagement_type", "build", 0.770996, 1, 1},
		}}
	cirrus := Why{PartnerID: "cirrus", Name: "Cirrus Works", CloseRate: 0.615549, Threshold: 0.70, AboveThreshold: false,
		Wins: 60, Decided: 100, MedianDaysToApproval: ptr(21.0), Axes: []WhyAxis{
			{"stage", "series_a", 0.609297, 12, 20},
			{"region", "us_east", 0.604082, 30, 50},
			{"vertical", "b2b_saas", 0.588452, 2, 4},
			{"service_profile", "ai_heavy", 0.651396, 10, 15},
			{"engagement_type", "build", 0.624517, 25, 40},
		}}
	noDays := decided
	noDays.Candidates = []Candidate{decided.Candidates[0]}
	noDays.Candidates[0].MedianDaysToApproval = nil
	atlasNoDays := atlas
	atlasNoDays.MedianDaysToApproval = nil

	trimmed := decided.Trimmed(2)
	for _, tc := range []struct {
		name      string
		d         Decision
		partnerID string
		want      Why
		ok        bool
	}{
		{"the router's choice", decided, "atlas", atlas, true},
		{"the router's choice, from the stored explanation", stored, "atlas", atlas, true},
		{"the second-ranked partner an admin assigned", decided, "beacon", beacon, true},
		{"a below-threshold partner an admin assigned", stored, "cirrus", cirrus, true},
		{"a partner the router filtered out (paused)", decided, "drift", Why{}, false},
		{"a partner the tier gate filtered out", decided, "ember", Why{}, false},
		{"a partner ranked below what the explanation kept", trimmed, "cirrus", Why{}, false},
		{"an unknown partner", decided, "zephyr", Why{}, false},
		{"no partner", decided, "", Why{}, false},
		{"a decision without candidates", Decision{}, "atlas", Why{}, false},
		{"unknown median days", noDays, "atlas", atlasNoDays, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := WhyChosen(tc.d, tc.partnerID)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got, approx); diff != "" {
				t.Errorf("WhyChosen (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWhyChosenShowsNoOtherCandidate: whatever a founder is shown comes
// from the one partner; no name, id or figure of another candidate is in
// it, and changing it changes nothing in the decision.
func TestWhyChosenShowsNoOtherCandidate(t *testing.T) {
	d := Decide(intake, workedExample(), DefaultParams())
	for _, c := range d.Candidates {
		w, ok := WhyChosen(d, c.PartnerID)
		if !ok {
			t.Fatalf("%s: not found", c.PartnerID)
		}
		text := fmt.Sprintf("%+v", w)
		for _, other := range workedExample() {
			if other.ID == c.PartnerID {
				continue
			}
			if strings.Contains(text, other.Name) || strings.Contains(text, "PartnerID:"+other.ID) {
				t.Errorf("the why of %s names %s: %s", c.PartnerID, other.Name, text)
			}
		}
		for _, o := range d.Candidates {
			if o.PartnerID != c.PartnerID && o.Score == w.CloseRate {
				t.Errorf("the why of %s carries the score of %s", c.PartnerID, o.PartnerID)
			}
		}
		before := d.Candidates[c.Rank-1].Cells[0].ShrunkRate
		w.Axes[0].Rate = -1
		*w.MedianDaysToApproval = -1
		if d.Candidates[c.Rank-1].Cells[0].ShrunkRate != before || *d.Candidates[c.Rank-1].MedianDaysToApproval < 0 {
			t.Errorf("the why of %s shares memory with the decision", c.PartnerID)
		}
	}
}
