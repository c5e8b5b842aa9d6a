package domain_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
)

func ptr[T any](v T) *T { return &v }

// fieldsOf names the fields of a validation error, in order; nil for no
// error.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	if domain.ErrorCode(err) != domain.ECodeValidation {
		t.Fatalf("%v: code %s, want %s", err, domain.ErrorCode(err), domain.ECodeValidation)
	}
	var out []string
	for _, f := range err.(*domain.Error).Fields {
		out = append(out, f.Field)
	}
	return out
}

// validPartner is a complete, valid partner to create.
func validPartner() domain.PartnerPatch {
	return domain.PartnerPatch{Name: ptr("Acme Cloud"), Tier: ptr("advanced"), Regions: ptr([]string{"eu", "uk"}),
		ContactEmail: ptr("ops@acme.example.com")}
}

func TestValidatePartnerPatch(t *testing.T) {
	with := func(f func(*domain.PartnerPatch)) domain.PartnerPatch {
		p := validPartner()
		f(&p)
		return p
	}
	for _, c := range []struct {
		name   string
		patch  domain.PartnerPatch
		create bool
		want   []string
	}{
		{"a complete partner", validPartner(), true, nil},
		{"nothing to create", domain.PartnerPatch{}, true, []string{"name", "tier", "regions", "contact_email"}},
		{"nothing to patch", domain.PartnerPatch{}, false, nil},
		{"a patch of one field", domain.PartnerPatch{Capacity: ptr(0)}, false, nil},
		{"a blank name", with(func(p *domain.PartnerPatch) { p.Name = ptr("   ") }), true, []string{"name"}},
		{"a name of 200 characters", with(func(p *domain.PartnerPatch) { p.Name = ptr(strings.Repeat("é", 200)) }), true, nil},
		{"a name of 201 characters", with(func(p *domain.PartnerPatch) { p.Name = ptr(strings.Repeat("é", 201)) }), true, []string{"name"}},
		{"an unknown tier", with(func(p *domain.PartnerPatch) { p.Tier = ptr("gold") }), true, []string{"tier"}},
		{"a tier in capitals", with(func(p *domain.PartnerPatch) { p.Tier = ptr("Advanced") }), true, []string{"tier"}},
		{"no region", with(func(p *domain.PartnerPatch) { p.Regions = ptr([]string{}) }), true, []string{"regions"}},
		{"an unknown and a repeated region", with(func(p *domain.PartnerPatch) { p.Regions = ptr([]string{"eu", "mars", "eu"}) }), true,
			[]string{"regions", "regions"}},
		{"no vertical", with(func(p *domain.PartnerPatch) { p.Verticals = ptr([]string{}) }), true, nil},
		{"an unknown vertical", with(func(p *domain.PartnerPatch) { p.Verticals = ptr([]string{"crypto"}) }), true, []string{"verticals"}},
		{"capacity at its bounds", with(func(p *domain.PartnerPatch) { p.Capacity = ptr(100000) }), true, nil},
		{"capacity below", with(func(p *domain.PartnerPatch) { p.Capacity = ptr(-1) }), true, []string{"capacity"}},
		{"capacity above", with(func(p *domain.PartnerPatch) { p.Capacity = ptr(100001) }), true, []string{"capacity"}},
		{"commission at its bounds", with(func(p *domain.PartnerPatch) { p.CommissionBPS = ptr(10000) }), true, nil},
		{"commission below", with(func(p *domain.PartnerPatch) { p.CommissionBPS = ptr(-1) }), true, []string{"commission_bps"}},
		{"commission above", with(func(p *domain.PartnerPatch) { p.CommissionBPS = ptr(10001) }), true, []string{"commission_bps"}},
		{"paused", with(func(p *domain.PartnerPatch) { p.Status = ptr("paused") }), true, nil},
		{"an unknown status", with(func(p *domain.PartnerPatch) { p.Status = ptr("deleted") }), true, []string{"status"}},
		{"an email with a display name", with(func(p *domain.PartnerPatch) { p.ContactEmail = ptr("Ops <ops@acme.example.com>") }), true,
			[]string{"contact_email"}},
		{"exclusions", with(func(p *domain.PartnerPatch) {
			p.ExcludedAxisValues = &map[string][]string{"stage": {"pre_seed"}, "region": {}}
		}), true, nil},
		{"an exclusion on no axis", with(func(p *domain.PartnerPatch) { p.ExcludedAxisValues = &map[string][]string{"tier": {"select"}} }), true,
			[]string{"excluded_axis_values.tier"}},
		{"an exclusion of an unknown value", with(func(p *domain.PartnerPatch) {
			p.ExcludedAxisValues = &map[string][]string{"stage": {"series_z"}}
		}), true, []string{"excluded_axis_values.stage"}},
		{"every field bad at once", domain.PartnerPatch{Name: ptr(""), Tier: ptr("x"), Regions: ptr([]string{"x"}), Verticals: ptr([]string{"x"}),
			Capacity: ptr(-1), CommissionBPS: ptr(-1), Status: ptr("x"), ContactEmail: ptr("x")}, true,
			[]string{"name", "tier", "regions", "verticals", "capacity", "commission_bps", "status", "contact_email"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := fieldsOf(t, domain.ValidatePartnerPatch(c.patch, c.create))
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("bad fields (-want +got):\n%s", d)
			}
		})
	}
}

func TestNormalizeExclusions(t *testing.T) {
	in := map[string][]string{"stage": {"seed", "pre_seed"}, "region": {}, "vertical": {"gaming"}}
	got := domain.NormalizeExclusions(in)
	want := map[string][]string{"stage": {"pre_seed", "seed"}, "vertical": {"gaming"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"seed", "pre_seed"}, in["stage"]); d != "" {
		t.Errorf("the input was changed (-before +after):\n%s", d)
	}
	if got := domain.NormalizeExclusions(nil); got == nil || len(got) != 0 {
		t.Errorf("NormalizeExclusions(nil) = %#v, want an empty map", got)
	}
}

func TestValidEmail(t *testing.T) {
	for _, c := range []struct {
		email string
		want  bool
	}{
		{"ops@acme.example.com", true},
		{"o.p+s@acme.io", true},
		{"ops@localhost", false},
		{"ops", false},
		{"@acme.io", false},
		{"ops@", false},
		{"Ops <ops@acme.io>", false},
		{"ops@acme.io ", false},
		{"a@b", false},
		{strings.Repeat("a", 246) + "@acme.io", true},  // 254 characters
		{strings.Repeat("a", 247) + "@acme.io", false}, // 255
	} {
		if got := domain.ValidEmail(c.email); got != c.want {
			t.Errorf("ValidEmail(%q) = %v, want %v", c.email, got, c.want)
		}
	}
}
