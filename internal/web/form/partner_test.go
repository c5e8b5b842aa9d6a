package form_test

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

func TestPartnerPatch(t *testing.T) {
	s := func(v string) *string { return &v }
	n := func(v int) *int { return &v }
	l := func(v ...string) *[]string {
		if v == nil {
			v = []string{}
		}
		return &v
	}
	m := func(v map[string][]string) *map[string][]string { return &v }
	for _, c := range []struct {
		name string
		in   url.Values
		want domain.PartnerPatch
		bad  []domain.FieldError
	}{
		{"every field", url.Values{"name": {" Harbor "}, "tier": {"premier"}, "regions": {"eu", "uk"}, "verticals": {"fintech"},
			"capacity": {"12"}, "commission_bps": {"1,200"}, "status": {"paused"}, "contact_email": {"a@harbor.example"},
			"excluded_axis_values.stage": {"pre_seed"}, "excluded_axis_values.region": {""}},
			domain.PartnerPatch{Name: s("Harbor"), Tier: s("premier"), Regions: l("eu", "uk"), Verticals: l("fintech"), Capacity: n(12),
				CommissionBPS: n(1200), Status: s("paused"), ContactEmail: s("a@harbor.example"),
				ExcludedAxisValues: m(map[string][]string{"stage": {"pre_seed"}})}, nil},
		{"empty: sent empty, numbers left out", url.Values{},
			domain.PartnerPatch{Name: s(""), Tier: s(""), Regions: l(), Verticals: l(), Status: s(""), ContactEmail: s(""),
				ExcludedAxisValues: m(map[string][]string{})}, nil},
		{"numbers that are not", url.Values{"capacity": {"ten"}, "commission_bps": {"10%"}},
			domain.PartnerPatch{Name: s(""), Tier: s(""), Regions: l(), Verticals: l(), Status: s(""), ContactEmail: s(""),
				ExcludedAxisValues: m(map[string][]string{})},
			[]domain.FieldError{{Field: "capacity", Message: "must be a whole number"}, {Field: "commission_bps", Message: "must be a whole number"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, bad := form.PartnerPatch(c.in)
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("patch (-want +got):\n%s", d)
			}
			if d := cmp.Diff(c.bad, bad); d != "" {
				t.Errorf("bad (-want +got):\n%s", d)
			}
		})
	}
	// A partner's values read back into the same patch.
	p := domain.Partner{Name: "Harbor", Tier: "advanced", Regions: []string{"eu"}, Verticals: []string{}, Capacity: 10, CommissionBPS: 1000,
		Status: "active", ContactEmail: "a@harbor.example", ExcludedAxisValues: map[string][]string{"vertical": {"gaming"}}}
	got, bad := form.PartnerPatch(form.PartnerValues(p))
	want := domain.PartnerPatch{Name: s("Harbor"), Tier: s("advanced"), Regions: l("eu"), Verticals: l(), Capacity: n(10), CommissionBPS: n(1000),
		Status: s("active"), ContactEmail: s("a@harbor.example"), ExcludedAxisValues: m(map[string][]string{"vertical": {"gaming"}})}
	if d := cmp.Diff(want, got); d != "" || bad != nil {
		t.Errorf("round trip (-want +got):\n%s %v", d, bad)
	}
}
