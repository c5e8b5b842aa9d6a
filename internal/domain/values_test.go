package domain_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/migrations"
)

// TestValueSets pins the value sets to SPEC §2, in order: clients, the
// database and openapi.yaml all use these exact strings.
func TestValueSets(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"stage", domain.Stages, []string{"pre_seed", "seed", "series_a", "series_b", "series_c_plus"}},
		{"region", domain.Regions, []string{"us_east", "us_west", "uk", "eu", "mena", "india", "apac", "brazil"}},
		{"vertical", domain.Verticals, []string{"fintech", "healthtech", "b2b_saas", "ecommerce", "deep_tech", "gaming", "other"}},
		{"service_profile", domain.ServiceProfiles, []string{"compute_heavy", "ai_heavy", "data_heavy", "edge_heavy"}},
		{"engagement_type", domain.EngagementTypes, []string{"build", "migrate"}},
		{"tier", domain.Tiers, []string{"registered", "select", "advanced", "premier"}},
		{"funding_source", domain.FundingSources, []string{"founders", "portfolio", "build_for_startups", "bedrock_poc", "map"}},
		{"competing_cloud", domain.CompetingClouds, []string{"none", "gcp", "azure", "heroku", "digitalocean", "on_prem", "other"}},
		{"partner status", domain.PartnerStatuses, []string{"active", "paused"}},
		{"routing axes", domain.Axes, []string{"stage", "region", "vertical", "service_profile", "engagement_type"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if d := cmp.Diff(c.want, c.got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestAxisValues(t *testing.T) {
	for _, axis := range domain.Axes {
		set, ok := domain.AxisValues[axis]
		if !ok || len(set) == 0 {
			t.Errorf("axis %s has no value set", axis)
		}
	}
	if len(domain.AxisValues) != len(domain.Axes) {
		t.Errorf("AxisValues has %d axes, Axes %d", len(domain.AxisValues), len(domain.Axes))
	}
	if d := cmp.Diff(domain.Regions, domain.AxisValues["region"]); d != "" {
		t.Errorf("region values (-want +got):\n%s", d)
	}
}

func TestOneOf(t *testing.T) {
	for _, c := range []struct {
		v    string
		set  []string
		want bool
	}{
		{"eu", domain.Regions, true},
		{"EU", domain.Regions, false},
		{" eu", domain.Regions, false},
		{"", domain.Regions, false},
		{"eu", nil, false},
	} {
		if got := domain.OneOf(c.v, c.set); got != c.want {
			t.Errorf("OneOf(%q, %v) = %v, want %v", c.v, c.set, got, c.want)
		}
	}
}

// TestIsRoutableTier: the tier gate lets through advanced and premier only
// (SPEC §3 "Only Advanced and Premier partners are routable").
func TestIsRoutableTier(t *testing.T) {
	want := map[string]bool{"registered": false, "select": false, "advanced": true, "premier": true, "Advanced": false, "": false}
	for tier, w := range want {
		if got := domain.IsRoutableTier(tier); got != w {
			t.Errorf("IsRoutableTier(%q) = %v, want %v", tier, got, w)
		}
	}
}

// checkIn finds the one-line CHECK (column IN (...)) constraints of the
// migrations, by column.
var checkIn = regexp.MustCompile(`CHECK \(([a-z_]+) IN \(([^)]*)\)\)`)

// storedSets returns, for every column that a one-line IN constraint
// bounds, each list of values the migrations allow.
func storedSets(t *testing.T) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		for _, m := range checkIn.FindAllStringSubmatch(string(b), -1) {
			var vals []string
			for _, v := range strings.Split(m[2], ",") {
				vals = append(vals, strings.Trim(strings.TrimSpace(v), "'"))
			}
			out[m[1]] = append(out[m[1]], vals)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read the migrations: %v", err)
	}
	return out
}

// TestValueSetsMatchTheDatabase: every CHECK constraint on a column that
// holds one of the value sets allows exactly that set, so the database
// refuses what the code refuses and accepts what it accepts.
func TestValueSetsMatchTheDatabase(t *testing.T) {
	sets := storedSets(t)
	for _, c := range []struct {
		column string
		want   []string
	}{
		{"stage", domain.Stages},
		{"region", domain.Regions},
		{"vertical", domain.Verticals},
		{"service_profile", domain.ServiceProfiles},
		{"engagement_type", domain.EngagementTypes},
		{"tier", domain.Tiers},
		{"funding_source", domain.FundingSources},
		{"approved_funding_source", domain.FundingSources},
		{"competing_cloud", domain.CompetingClouds},
		{"axis", domain.Axes},
	} {
		t.Run(c.column, func(t *testing.T) {
			if len(sets[c.column]) == 0 {
				t.Fatalf("no CHECK (%s IN (...)) in the migrations", c.column)
			}
			for _, got := range sets[c.column] {
				if d := cmp.Diff(c.want, got); d != "" {
					t.Errorf("the database's %s values (-code +database):\n%s", c.column, d)
				}
			}
		})
	}
	t.Run("status", func(t *testing.T) {
		// Partners, assignments and users all have a status column.
		for _, got := range sets["status"] {
			if !cmp.Equal(got, domain.PartnerStatuses) && !cmp.Equal(got, domain.AssignmentStatuses) && !cmp.Equal(got, domain.UserStatuses) {
				t.Errorf("a status constraint allows %v: neither the partner, the assignment nor the user statuses", got)
			}
		}
	})
}
