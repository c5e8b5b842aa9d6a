package ace_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
)

func TestTierMayFile(t *testing.T) {
	// The SPEC §3 table, column by column.
	table := map[string]map[string]bool{
		"registered": {"founders": false, "portfolio": false, "build_for_startups": false, "bedrock_poc": false, "map": false},
		"select":     {"founders": true, "portfolio": false, "build_for_startups": false, "bedrock_poc": false, "map": true},
		"advanced":   {"founders": true, "portfolio": true, "build_for_startups": true, "bedrock_poc": true, "map": true},
		"premier":    {"founders": true, "portfolio": true, "build_for_startups": true, "bedrock_poc": true, "map": true},
	}
	for _, tier := range domain.Tiers {
		for _, pool := range domain.FundingSources {
			want, ok := table[tier][pool]
			if !ok {
				t.Fatalf("table lacks %s × %s", tier, pool)
			}
			t.Run(tier+"×"+pool, func(t *testing.T) {
				if got := ace.TierMayFile(tier, pool); got != want {
					t.Errorf("TierMayFile = %v, want %v", got, want)
				}
				wantCode := ""
				if !want {
					wantCode = domain.ECodeTierNotPermitted
				}
				if got := code(t, ace.CheckTier(tier, pool)); got != wantCode {
					t.Errorf("CheckTier = %q, want %q", got, wantCode)
				}
			})
		}
	}
	for _, c := range []struct{ tier, pool string }{
		{"gold", "founders"}, {"", "founders"}, {"premier", "activate"}, {"premier", ""}, {"Premier", "founders"},
	} {
		if ace.TierMayFile(c.tier, c.pool) {
			t.Errorf("TierMayFile(%q, %q) = true", c.tier, c.pool)
		}
		if got := code(t, ace.CheckTier(c.tier, c.pool)); got != domain.ECodeTierNotPermitted {
			t.Errorf("CheckTier(%q, %q) = %q", c.tier, c.pool, got)
		}
	}
}

func TestAmountRangeAndBoundaries(t *testing.T) {
	for _, c := range []struct {
		pool     string
		min, max int64
	}{
		{"founders", 5_000, 25_000},
		{"portfolio", 50_000, 100_000},
		{"build_for_startups", 1, 25_000},
		{"bedrock_poc", 10_000, 50_000},
	} {
		t.Run(c.pool, func(t *testing.T) {
			min, max, has := ace.AmountRange(c.pool)
			if min != c.min || max != c.max || !has {
				t.Fatalf("AmountRange = %d, %d, %v", min, max, has)
			}
			for _, b := range []struct {
				usd  int64
				want string
			}{
				{c.min - 1, domain.ECodeAmountOutOfRange},
				{c.min, ""},
				{c.max, ""},
				{c.max + 1, domain.ECodeAmountOutOfRange},
				{0, domain.ECodeAmountOutOfRange},
				{-c.min, domain.ECodeAmountOutOfRange},
			} {
				err := ace.CheckAmount("requested_usd", c.pool, b.usd)
				if got := code(t, err); got != b.want {
					t.Errorf("CheckAmount(%d) = %q, want %q", b.usd, got, b.want)
				}
				if b.want != "" {
					if diff := cmp.Diff([]string{"requested_usd"}, fieldsOf(t, err)); diff != "" {
						t.Errorf("CheckAmount(%d) fields (-want +got):\n%s", b.usd, diff)
					}
				}
			}
		})
	}
	t.Run("map", func(t *testing.T) {
		if _, _, has := ace.AmountRange("map"); has {
			t.Fatal("map has an amount")
		}
		for _, b := range []struct {
			usd  int64
			want string
		}{{0, ""}, {1, domain.ECodeAmountOutOfRange}, {-1, domain.ECodeAmountOutOfRange}, {25_000, domain.ECodeAmountOutOfRange}} {
			err := ace.CheckAmount("approved_usd", "map", b.usd)
			if got := code(t, err); got != b.want {
				t.Errorf("CheckAmount(map, %d) = %q, want %q", b.usd, got, b.want)
			}
			if b.want != "" {
				if diff := cmp.Diff([]string{"approved_usd"}, fieldsOf(t, err)); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			}
		}
	})
	t.Run("unknown pool", func(t *testing.T) {
		if _, _, has := ace.AmountRange("activate"); has {
			t.Fatal("unknown pool has an amount")
		}
		err := ace.CheckAmount("requested_usd", "activate", 10_000)
		if got := code(t, err); got != domain.ECodeValidation {
			t.Errorf("code = %q", got)
		}
		if diff := cmp.Diff([]string{"funding_source"}, fieldsOf(t, err)); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
	})
}

func TestAmountMessageUsesSpecFigures(t *testing.T) {
	var e *domain.Error
	if !errors.As(ace.CheckAmount("requested_usd", "portfolio", 49_999), &e) {
		t.Fatal("want *domain.Error")
	}
	if want := "must be between 50,000 and 100,000 USD for portfolio"; e.Fields[0].Message != want {
		t.Errorf("message = %q, want %q", e.Fields[0].Message, want)
	}
}

func TestCheckAward(t *testing.T) {
	for _, c := range []struct {
		name         string
		requested    int64
		awardedPool  string
		approved     int64
		wantCode     string
		wantFieldsOf []string
	}{
		{"in full", 80_000, "portfolio", 80_000, "", nil},
		{"less than requested", 80_000, "portfolio", 50_000, "", nil},
		{"downgraded to founders", 80_000, "founders", 25_000, "", nil},
		{"downgraded above the founders range", 80_000, "founders", 25_001, domain.ECodeAmountOutOfRange, []string{"approved_usd"}},
		{"below the range", 80_000, "portfolio", 49_999, domain.ECodeAmountOutOfRange, []string{"approved_usd"}},
		{"more than requested", 20_000, "founders", 20_001, domain.ECodeAmountOutOfRange, []string{"approved_usd"}},
		{"map approves nothing", 0, "map", 0, "", nil},
		{"map with an amount", 0, "map", 5_000, domain.ECodeAmountOutOfRange, []string{"approved_usd"}},
		{"unknown pool", 80_000, "gold", 50_000, domain.ECodeValidation, []string{"funding_source"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ace.CheckAward(c.requested, c.awardedPool, c.approved)
			if got := code(t, err); got != c.wantCode {
				t.Errorf("code = %q, want %q (%v)", got, c.wantCode, err)
			}
			if diff := cmp.Diff(c.wantFieldsOf, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStackCeiling(t *testing.T) {
	if ace.StackCeilingUSD != 150_000 {
		t.Fatalf("StackCeilingUSD = %d", ace.StackCeilingUSD)
	}
	t.Run("on creation", func(t *testing.T) {
		for _, c := range []struct {
			name                   string
			approved, pending, add int64
			want                   string
		}{
			{"first request at the ceiling", 0, 0, 150_000, ""},
			{"first request above the ceiling", 0, 0, 150_001, domain.ECodeStackCeiling},
			{"approved plus pending plus this, exactly", 100_000, 25_000, 25_000, ""},
			{"approved plus pending plus this, one over", 100_000, 25_000, 25_001, domain.ECodeStackCeiling},
			{"pending requests count", 0, 140_000, 10_001, domain.ECodeStackCeiling},
			{"ceiling already reached, map adds nothing", 150_000, 0, 0, ""},
			{"ceiling already reached", 150_000, 0, 1, domain.ECodeStackCeiling},
			{"already over, adds nothing", 160_000, 0, 0, domain.ECodeStackCeiling},
		} {
			t.Run(c.name, func(t *testing.T) {
				err := ace.CheckStackCeiling(c.approved, c.pending, c.add)
				if got := code(t, err); got != c.want {
					t.Errorf("code = %q, want %q", got, c.want)
				}
				if c.want != "" {
					if diff := cmp.Diff([]string{"requested_usd"}, fieldsOf(t, err)); diff != "" {
						t.Errorf("fields (-want +got):\n%s", diff)
					}
				}
			})
		}
	})
	t.Run("on approval", func(t *testing.T) {
		for _, c := range []struct {
			name          string
			approved, add int64
			want          string
		}{
			{"exactly the ceiling", 125_000, 25_000, ""},
			{"one over", 125_000, 25_001, domain.ECodeStackCeiling},
			{"nothing approved before", 0, 100_000, ""},
			{"full ceiling, zero award", 150_000, 0, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				err := ace.CheckApprovalCeiling(c.approved, c.add)
				if got := code(t, err); got != c.want {
					t.Errorf("code = %q, want %q", got, c.want)
				}
				if c.want != "" {
					if diff := cmp.Diff([]string{"approved_usd"}, fieldsOf(t, err)); diff != "" {
						t.Errorf("fields (-want +got):\n%s", diff)
					}
				}
			})
		}
	})
	t.Run("message gives the headroom", func(t *testing.T) {
		err := ace.CheckStackCeiling(100_000, 20_000, 40_000)
		if err == nil || !strings.Contains(err.Error(), "at most 30,000 USD remains") {
			t.Errorf("err = %v", err)
		}
		err = ace.CheckStackCeiling(160_000, 0, 1)
		if err == nil || !strings.Contains(err.Error(), "at most 0 USD remains") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestSumForCeiling(t *testing.T) {
	others := []ace.CeilingRecord{
		{State: ace.StateIdentified, RequestedUSD: 10_000},
		{State: ace.StateSubmitted, RequestedUSD: 20_000},
		{State: ace.StateValidated, RequestedUSD: 30_000},
		{State: ace.StateApproved, RequestedUSD: 99_999, ApprovedUSD: 1_000},
		{State: ace.StateLaunched, RequestedUSD: 99_999, ApprovedUSD: 2_000},
		{State: ace.StateClosed, RequestedUSD: 99_999, ApprovedUSD: 4_000},
		{State: ace.StateRejected, RequestedUSD: 50_000},
		{State: ace.StateWithdrawn, RequestedUSD: 50_000},
	}
	approved, pending := ace.SumForCeiling(others)
	if approved != 7_000 || pending != 60_000 {
		t.Errorf("SumForCeiling = %d, %d; want 7000, 60000", approved, pending)
	}
	if a, p := ace.SumForCeiling(nil); a != 0 || p != 0 {
		t.Errorf("SumForCeiling(nil) = %d, %d", a, p)
	}
}
