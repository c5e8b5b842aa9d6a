package ace_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
)

func TestCheckTrackRecordRow(t *testing.T) {
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	usd := func(n int64) *int64 { return &n }
	good := func() ace.TrackRecordRow {
		return ace.TrackRecordRow{DecidedAt: "2026-02-01T10:00:00+02:00", SubmittedAt: "2026-01-10", Stage: "seed", Region: "eu",
			Vertical: "b2b_saas", ServiceProfile: "ai_heavy", EngagementType: "build", FundingSource: "founders",
			Outcome: "approved", RequestedUSD: usd(25_000), ApprovedUSD: usd(20_000)}
	}
	oneOf := func(set []string) string { return "must be one of " + strings.Join(set, ", ") }
	for _, c := range []struct {
		name   string
		change func(*ace.TrackRecordRow)
		want   []domain.FieldError
	}{
		{"a good approval", func(*ace.TrackRecordRow) {}, nil},
		{"a rejection with approved_usd 0", func(r *ace.TrackRecordRow) { r.Outcome, r.ApprovedUSD = "rejected", usd(0) }, nil},
		{"a rejection without approved_usd", func(r *ace.TrackRecordRow) { r.Outcome, r.ApprovedUSD = "rejected", nil }, nil},
		{"an award at the stacked ceiling", func(r *ace.TrackRecordRow) { r.ApprovedUSD = usd(ace.StackCeilingUSD) }, nil},
		{"decided within the clock's minute of skew", func(r *ace.TrackRecordRow) { r.DecidedAt = "2026-03-14T12:00:59Z" }, nil},
		{"submitted and decided at the same instant", func(r *ace.TrackRecordRow) { r.SubmittedAt, r.DecidedAt = "2026-02-01", "2026-02-01" }, nil},
		{"decided_at not a time", func(r *ace.TrackRecordRow) { r.DecidedAt = "01/02/2026" },
			[]domain.FieldError{{Field: "decided_at", Message: domain.TimeOrDateRule}}},
		{"decided_at in the future", func(r *ace.TrackRecordRow) { r.DecidedAt = "2026-03-14T12:01:01Z" },
			[]domain.FieldError{{Field: "decided_at", Message: "must not be in the future"}}},
		{"submitted_at missing", func(r *ace.TrackRecordRow) { r.SubmittedAt = "" },
			[]domain.FieldError{{Field: "submitted_at", Message: domain.TimeOrDateRule}}},
		{"submitted after the decision", func(r *ace.TrackRecordRow) { r.SubmittedAt = "2026-02-02" },
			[]domain.FieldError{{Field: "submitted_at", Message: "must not be after decided_at"}}},
		{"submitted_at unchecked against a bad decided_at", func(r *ace.TrackRecordRow) { r.DecidedAt, r.SubmittedAt = "soon", "2026-02-02" },
			[]domain.FieldError{{Field: "decided_at", Message: domain.TimeOrDateRule}}},
		{"every enum wrong, blank counts as wrong", func(r *ace.TrackRecordRow) {
			r.Stage, r.Region, r.Vertical, r.ServiceProfile, r.EngagementType, r.FundingSource, r.Outcome = "", "mars", "x", "x", "x", "x", "withdrawn"
			r.ApprovedUSD = nil
		}, []domain.FieldError{
			{Field: "stage", Message: oneOf(domain.Stages)}, {Field: "region", Message: oneOf(domain.Regions)},
			{Field: "vertical", Message: oneOf(domain.Verticals)}, {Field: "service_profile", Message: oneOf(domain.ServiceProfiles)},
			{Field: "engagement_type", Message: oneOf(domain.EngagementTypes)}, {Field: "funding_source", Message: oneOf(domain.FundingSources)},
			{Field: "outcome", Message: "must be one of approved, rejected"},
		}},
		{"requested_usd missing", func(r *ace.TrackRecordRow) { r.RequestedUSD = nil },
			[]domain.FieldError{{Field: "requested_usd", Message: "is required: whole USD from 0 to 10,000,000"}}},
		{"requested_usd negative", func(r *ace.TrackRecordRow) { r.RequestedUSD = usd(-1) },
			[]domain.FieldError{{Field: "requested_usd", Message: "is required: whole USD from 0 to 10,000,000"}}},
		{"requested_usd above the bound", func(r *ace.TrackRecordRow) { r.RequestedUSD = usd(ace.MaxTrackRecordRequestedUSD + 1) },
			[]domain.FieldError{{Field: "requested_usd", Message: "is required: whole USD from 0 to 10,000,000"}}},
		{"an approval without approved_usd", func(r *ace.TrackRecordRow) { r.ApprovedUSD = nil },
			[]domain.FieldError{{Field: "approved_usd", Message: "is required for an approved outcome"}}},
		{"an award above the stacked ceiling", func(r *ace.TrackRecordRow) { r.ApprovedUSD = usd(ace.StackCeilingUSD + 1) },
			[]domain.FieldError{{Field: "approved_usd", Message: "must be whole USD from 0 to 150,000"}}},
		{"a negative award", func(r *ace.TrackRecordRow) { r.ApprovedUSD = usd(-5) },
			[]domain.FieldError{{Field: "approved_usd", Message: "must be whole USD from 0 to 150,000"}}},
		{"a rejection with an award", func(r *ace.TrackRecordRow) { r.Outcome = "rejected" },
			[]domain.FieldError{{Field: "approved_usd", Message: "must be 0 for a rejected outcome"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			row := good()
			c.change(&row)
			_, got := ace.CheckTrackRecordRow(row, now)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("field errors (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("the parsed outcome", func(t *testing.T) {
		got, errs := ace.CheckTrackRecordRow(good(), now)
		if errs != nil {
			t.Fatalf("unexpected errors: %v", errs)
		}
		want := ace.TrackRecordOutcome{DecidedAt: time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC), SubmittedAt: time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC),
			Stage: "seed", Region: "eu", Vertical: "b2b_saas", ServiceProfile: "ai_heavy", EngagementType: "build",
			FundingSource: "founders", Outcome: "approved", RequestedUSD: 25_000, ApprovedUSD: 20_000}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("outcome (-want +got):\n%s", diff)
		}
		if got.DecidedAt.Location() != time.UTC {
			t.Errorf("decided_at is in %v, want UTC", got.DecidedAt.Location())
		}
	})
}
