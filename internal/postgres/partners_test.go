package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// ignoreTimes leaves out of a partner comparison what the clock sets.
var ignoreTimes = cmpopts.IgnoreFields(domain.Partner{}, "ID", "CreatedAt", "UpdatedAt", "LastOfferedAt")

func TestCreatePartner(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)

	t.Run("defaults", func(t *testing.T) {
		e := e.in(t)
		p, err := e.db.CreatePartner(e.ctx, domain.PartnerPatch{Name: ptr("  Acme Cloud "), Tier: ptr("premier"),
			Regions: ptr([]string{"eu", "uk"}), ContactEmail: ptr("ops@acme.example.com")})
		must(t, "create", err)
		want := domain.Partner{Name: "Acme Cloud", Tier: "premier", Regions: []string{"eu", "uk"}, Verticals: []string{},
			Capacity: postgres.DefaultPartnerCapacity, CommissionBPS: 1000, Status: "active", ContactEmail: "ops@acme.example.com",
			ExcludedAxisValues: map[string][]string{}}
		if d := cmp.Diff(want, p, ignoreTimes); d != "" {
			t.Errorf("created (-want +got):\n%s", d)
		}
		if !p.CreatedAt.Equal(t0) {
			t.Errorf("created at %s, want %s", p.CreatedAt, t0)
		}
		got, err := e.db.Partner(e.ctx, p.ID)
		must(t, "read", err)
		if d := cmp.Diff(p, got); d != "" {
			t.Errorf("read back (-created +read):\n%s", d)
		}
	})
	t.Run("the commission defaults to the setting", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.UpdateSettings(e.ctx, adminActor, domain.SettingsPatch{Ints: map[string]int{"default_commission_bps": 1250}})
		must(t, "settings", err)
		if p := e.partner("Later"); p.CommissionBPS != 1250 {
			t.Errorf("commission %d bps, want the setting's 1250", p.CommissionBPS)
		}
		if p := e.partner("Own rate", withBPS(800)); p.CommissionBPS != 800 {
			t.Errorf("commission %d bps, want the given 800", p.CommissionBPS)
		}
	})
	t.Run("exclusions are stored sorted, without empty axes", func(t *testing.T) {
		e := e.in(t)
		p := e.partner("Picky", func(p *domain.PartnerPatch) {
			p.ExcludedAxisValues = &map[string][]string{"stage": {"seed", "pre_seed"}, "region": {}}
		})
		if d := cmp.Diff(map[string][]string{"stage": {"pre_seed", "seed"}}, p.ExcludedAxisValues); d != "" {
			t.Errorf("exclusions (-want +got):\n%s", d)
		}
	})
	t.Run("every bad field at once", func(t *testing.T) {
		e := e.in(t)
		before := e.count(`SELECT count(*) FROM partners`)
		_, err := e.db.CreatePartner(e.ctx, domain.PartnerPatch{})
		wantCode(t, "create an empty partner", err, domain.ECodeValidation)
		if d := cmp.Diff([]string{"name", "tier", "regions", "contact_email"}, fields(err)); d != "" {
			t.Errorf("fields (-want +got):\n%s", d)
		}
		_, err = e.db.CreatePartner(e.ctx, domain.PartnerPatch{Name: ptr(""), Tier: ptr("gold"), Regions: ptr([]string{"mars"}),
			Capacity: ptr(-1), CommissionBPS: ptr(10001), Status: ptr("asleep"), ContactEmail: ptr("ops"),
			ExcludedAxisValues: &map[string][]string{"colour": {"red"}}})
		wantCode(t, "create a bad partner", err, domain.ECodeValidation)
		want := []string{"name", "tier", "regions", "capacity", "commission_bps", "status", "contact_email", "excluded_axis_values.colour"}
		if d := cmp.Diff(want, fields(err)); d != "" {
			t.Errorf("fields (-want +got):\n%s", d)
		}
		if after := e.count(`SELECT count(*) FROM partners`); after != before {
			t.Errorf("refused partners were stored")
		}
	})
	t.Run("not found", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.Partner(e.ctx, "x")
		wantCode(t, "malformed id", err, domain.ECodeNotFound)
		_, err = e.db.Partner(e.ctx, "00000000-0000-4000-8000-000000000000")
		wantCode(t, "unknown id", err, domain.ECodeNotFound)
	})
}

func TestListPartners(t *testing.T) {
	e := newEnv(t)
	var ps []domain.Partner
	for i, o := range [][]func(*domain.PartnerPatch){
		nil,
		{withTier("premier")},
		{withStatus("paused")},
		{withRegions("us_east")},
		{withTier("premier"), withRegions("eu", "us_east")},
	} {
		e.setClock(t0.Add(time.Duration(i) * time.Minute))
		ps = append(ps, e.partner(fmt.Sprintf("P%d", i), o...))
	}
	ids := func(in []domain.Partner) []string {
		out := []string{}
		for _, p := range in {
			out = append(out, p.ID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    postgres.PartnerFilter
		want []domain.Partner
	}{
		{"all", postgres.PartnerFilter{Limit: 10}, ps},
		{"a tier", postgres.PartnerFilter{Tier: "premier", Limit: 10}, []domain.Partner{ps[1], ps[4]}},
		{"a status", postgres.PartnerFilter{Status: "paused", Limit: 10}, []domain.Partner{ps[2]}},
		{"a region", postgres.PartnerFilter{Region: "us_east", Limit: 10}, []domain.Partner{ps[3], ps[4]}},
		{"all three", postgres.PartnerFilter{Tier: "premier", Status: "active", Region: "us_east", Limit: 10}, []domain.Partner{ps[4]}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := e.in(t)
			got, next, err := e.db.ListPartners(e.ctx, c.f)
			must(t, "list", err)
			if d := cmp.Diff(ids(c.want), ids(got)); d != "" || next != "" {
				t.Errorf("(-want +got):\n%s (next %q)", d, next)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		e := e.in(t)
		var pages [][]string
		after := ""
		for range 4 {
			got, next, err := e.db.ListPartners(e.ctx, postgres.PartnerFilter{After: after, Limit: 2})
			must(t, "list", err)
			pages = append(pages, ids(got))
			if next == "" {
				break
			}
			after = next
		}
		all := ids(ps)
		if d := cmp.Diff([][]string{all[0:2], all[2:4], all[4:5]}, pages); d != "" {
			t.Errorf("pages (-want +got):\n%s", d)
		}
	})
	t.Run("a cursor that is not one", func(t *testing.T) {
		e := e.in(t)
		for _, cur := range []string{"page-2", "00000000-0000-4000-8000-000000000000"} {
			_, _, err := e.db.ListPartners(e.ctx, postgres.PartnerFilter{After: cur, Limit: 2})
			wantCode(t, "cursor "+cur, err, domain.ECodeValidation)
		}
	})
}

func TestUpdatePartner(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	p := e.partner("Alpha")
	e.setClock(t0.Add(time.Hour))

	t.Run("only what is given changes", func(t *testing.T) {
		e := e.in(t)
		got, err := e.db.UpdatePartner(e.ctx, p.ID, domain.PartnerPatch{Name: ptr(" Alpha Cloud "), Capacity: ptr(3),
			Verticals: ptr([]string{"fintech"})})
		must(t, "update", err)
		want := p
		want.Name, want.Capacity, want.Verticals, want.UpdatedAt = "Alpha Cloud", 3, []string{"fintech"}, t0.Add(time.Hour)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("updated (-want +got):\n%s", d)
		}
		p = got
	})
	t.Run("refused whole", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.UpdatePartner(e.ctx, p.ID, domain.PartnerPatch{Name: ptr("Renamed"), Tier: ptr("gold")})
		wantCode(t, "bad tier", err, domain.ECodeValidation)
		got, err := e.db.Partner(e.ctx, p.ID)
		must(t, "read", err)
		if d := cmp.Diff(p, got); d != "" {
			t.Errorf("a refused patch changed the partner (-before +after):\n%s", d)
		}
	})
	t.Run("not found", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.UpdatePartner(e.ctx, "x", domain.PartnerPatch{Capacity: ptr(1)})
		wantCode(t, "malformed id", err, domain.ECodeNotFound)
		_, err = e.db.UpdatePartner(e.ctx, "00000000-0000-4000-8000-000000000000", domain.PartnerPatch{Capacity: ptr(1)})
		wantCode(t, "unknown id", err, domain.ECodeNotFound)
	})
}
