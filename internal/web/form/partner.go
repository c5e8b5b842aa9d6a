package form

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// The partner form (admins create and edit partners): every field of SPEC
// §4 with its value set. Its controls are named as the API's fields, and
// the exclusions per axis "excluded_axis_values.<axis>", the paths
// domain.ValidatePartnerPatch names in its errors.

// ExcludedPath names the checkboxes of the values excluded on axis.
func ExcludedPath(axis string) string { return "excluded_axis_values." + axis }

// PartnerValues are the controls' values for a partner, to fill the form
// with.
func PartnerValues(p domain.Partner) url.Values {
	v := url.Values{
		"name": {p.Name}, "tier": {p.Tier}, "regions": p.Regions, "verticals": p.Verticals,
		"capacity": {strconv.Itoa(p.Capacity)}, "commission_bps": {strconv.Itoa(p.CommissionBPS)},
		"status": {p.Status}, "contact_email": {p.ContactEmail},
	}
	for axis, vals := range p.ExcludedAxisValues {
		v[ExcludedPath(axis)] = vals
	}
	return v
}

// PartnerPatch reads the form into a patch of every field, for
// domain.ValidatePartnerPatch to judge: the form always shows every field,
// so a field left empty is sent empty and the rule says what it needs. A
// capacity or rate left empty is left out (on creation, the defaults
// apply); one that is not a whole number is named in bad.
func PartnerPatch(v url.Values) (p domain.PartnerPatch, bad []domain.FieldError) {
	str := func(name string) *string {
		s := strings.TrimSpace(clip(v.Get(name)))
		return &s
	}
	list := func(name string) *[]string {
		out := []string{}
		for _, s := range v[name] {
			if s = strings.TrimSpace(clip(s)); s != "" {
				out = append(out, s)
			}
		}
		return &out
	}
	num := func(name string) *int {
		s := strings.ReplaceAll(strings.TrimSpace(v.Get(name)), ",", "")
		if s == "" {
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			bad = append(bad, domain.FieldError{Field: name, Message: "must be a whole number"})
			return nil
		}
		return &n
	}
	p.Name, p.Tier, p.Status, p.ContactEmail = str("name"), str("tier"), str("status"), str("contact_email")
	p.Regions, p.Verticals = list("regions"), list("verticals")
	p.Capacity, p.CommissionBPS = num("capacity"), num("commission_bps")
	excl := map[string][]string{}
	for _, axis := range domain.Axes {
		if vals := *list(ExcludedPath(axis)); len(vals) > 0 {
			excl[axis] = vals
		}
	}
	p.ExcludedAxisValues = &excl
	return p, bad
}
