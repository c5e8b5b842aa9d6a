package health

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewMonthSnapshot(t *testing.T) {
	tests := []struct {
		name     string
		month    string
		in       SnapshotInput
		wantJSON string
	}{
		{"no offers: the rate is null, not 0", "2026-03-15T10:00:00Z",
			SnapshotInput{ActiveRecords: 2, StateDistribution: map[string]int{"submitted": 2, "closed": 1}},
			`{"month":"2026-03","active_records":2,"new_submissions":0,` +
				`"state_distribution":{"approved":0,"closed":1,"identified":0,"launched":0,"rejected":0,"submitted":2,"validated":0,"withdrawn":0},` +
				`"offers_received":0,"offers_accepted":0,"offer_acceptance_rate":null,"approved_usd":0,"closed_usd":0,` +
				`"cadence":{"weeks":[],"total":0,"batch_pattern":false}}`},
		{"3 of 4 offers accepted", "2026-04-01T01:00:00+02:00", // still March in UTC
			SnapshotInput{ActiveRecords: 5, NewSubmissions: 3, OffersReceived: 4, OffersAccepted: 3, ApprovedUSD: 125000, ClosedUSD: 25000,
				Cadence: Cadence{Weeks: []WeekCount{{"2026-03-30", 3}}, Total: 3}},
			`{"month":"2026-03","active_records":5,"new_submissions":3,` +
				`"state_distribution":{"approved":0,"closed":0,"identified":0,"launched":0,"rejected":0,"submitted":0,"validated":0,"withdrawn":0},` +
				`"offers_received":4,"offers_accepted":3,"offer_acceptance_rate":0.75,"approved_usd":125000,"closed_usd":25000,` +
				`"cadence":{"weeks":[{"week_start":"2026-03-30","submissions":3}],"total":3,"batch_pattern":false}}`},
		{"all offers declined: a rate of 0", "2026-12-31T23:59:59Z",
			SnapshotInput{OffersReceived: 2, Cadence: Cadence{Weeks: []WeekCount{}, BatchPattern: true, Reason: "r"}},
			`{"month":"2026-12","active_records":0,"new_submissions":0,` +
				`"state_distribution":{"approved":0,"closed":0,"identified":0,"launched":0,"rejected":0,"submitted":0,"validated":0,"withdrawn":0},` +
				`"offers_received":2,"offers_accepted":0,"offer_acceptance_rate":0,"approved_usd":0,"closed_usd":0,` +
				`"cadence":{"weeks":[],"total":0,"batch_pattern":true,"reason":"r"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(NewMonthSnapshot(ts(t, tc.month), tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantJSON, string(got)); diff != "" {
				t.Errorf("snapshot JSON (-want +got):\n%s", diff)
			}
		})
	}

	// The caller's map is not modified.
	in := map[string]int{"submitted": 1}
	NewMonthSnapshot(ts(t, "2026-03-01T00:00:00Z"), SnapshotInput{StateDistribution: in})
	if len(in) != 1 {
		t.Errorf("the input distribution was modified: %v", in)
	}
}

func TestMonthRange(t *testing.T) {
	tests := []struct{ in, start, end string }{
		{"2026-03-15T10:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		{"2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		{"2026-02-28T23:59:59Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"2026-12-31T23:59:59Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"2026-04-01T01:00:00+02:00", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			s, e := MonthRange(ts(t, tc.in))
			if !s.Equal(ts(t, tc.start)) || !e.Equal(ts(t, tc.end)) {
				t.Errorf("MonthRange = [%v, %v), want [%s, %s)", s, e, tc.start, tc.end)
			}
		})
	}
}
