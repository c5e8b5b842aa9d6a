package routing

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseExplanation(t *testing.T) {
	d := Decide(intake, workedExample(), DefaultParams()).Trimmed(StoredCandidates)
	override := "admin assigned partner cirrus"
	unroutable := Decide(intake, nil, DefaultParams()).Trimmed(StoredCandidates)
	for _, c := range []struct {
		name   string
		stored any
		want   Explanation
	}{
		{"the router's decision", d, Explanation{Decision: d}},
		{"an unroutable decision", unroutable, Explanation{Decision: unroutable}},
		{"an admin's override", AdminOverride{Override: override, Router: d}, Explanation{Override: &override, Decision: d}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.stored)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseExplanation(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("not JSON", func(t *testing.T) {
		if _, err := ParseExplanation([]byte(`{"params":`)); err == nil {
			t.Error("no error")
		}
	})
}
