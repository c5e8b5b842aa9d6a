package ace_test

import (
	"testing"

	"github.com/cloudroute/cloudroute/internal/ace"
)

func TestCreditsApproved(t *testing.T) {
	for _, c := range []struct {
		name    string
		records []ace.CeilingRecord
		want    int64
	}{
		{"no records", nil, 0},
		{"only requests", []ace.CeilingRecord{
			{State: ace.StateIdentified, RequestedUSD: 25_000},
			{State: ace.StateSubmitted, RequestedUSD: 50_000},
			{State: ace.StateValidated, RequestedUSD: 10_000},
		}, 0},
		{"an award counts from approval to close", []ace.CeilingRecord{
			{State: ace.StateApproved, RequestedUSD: 25_000, ApprovedUSD: 20_000},
			{State: ace.StateLaunched, RequestedUSD: 50_000, ApprovedUSD: 50_000},
			{State: ace.StateClosed, RequestedUSD: 100_000, ApprovedUSD: 75_000},
		}, 145_000},
		{"side exits count for nothing", []ace.CeilingRecord{
			{State: ace.StateRejected, RequestedUSD: 25_000},
			{State: ace.StateWithdrawn, RequestedUSD: 10_000},
			{State: ace.StateClosed, RequestedUSD: 25_000, ApprovedUSD: 25_000},
		}, 25_000},
		{"a MAP referral approves no credit", []ace.CeilingRecord{
			{State: ace.StateClosed, ApprovedUSD: 0},
		}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ace.CreditsApproved(c.records); got != c.want {
				t.Errorf("CreditsApproved = %d, want %d", got, c.want)
			}
		})
	}
}
