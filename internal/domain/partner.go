package domain

import (
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Partner is an AWS Partner Network member that CloudRoute may route to.
type Partner struct {
	ID                 string
	Name               string
	Tier               string
	Regions            []string
	Verticals          []string
	Capacity           int
	CommissionBPS      int
	Status             string
	ContactEmail       string
	ExcludedAxisValues map[string][]string
	LastOfferedAt      *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// MaxPartnerNameChars bounds a partner's name.
const MaxPartnerNameChars = 200

// PartnerPatch holds the fields an admin sets on create or patch; nil means
// "leave as is" (patch) or "use the default" (create).
type PartnerPatch struct {
	Name               *string
	Tier               *string
	Regions            *[]string
	Verticals          *[]string
	Capacity           *int
	CommissionBPS      *int
	Status             *string
	ContactEmail       *string
	ExcludedAxisValues *map[string][]string
}

// ValidatePartnerPatch checks every given field against the value sets and
// reports all bad fields at once. When create is true the required fields
// (name, tier, regions, contact_email) must be present.
func ValidatePartnerPatch(p PartnerPatch, create bool) error {
	var pr FieldCheck
	if create {
		if p.Name == nil {
			pr.Add("name", "is required")
		}
		if p.Tier == nil {
			pr.Add("tier", "is required")
		}
		if p.Regions == nil {
			pr.Add("regions", "is required")
		}
		if p.ContactEmail == nil {
			pr.Add("contact_email", "is required")
		}
	}
	if p.Name != nil {
		CheckText(&pr, "name", *p.Name, 1, MaxPartnerNameChars, false)
	}
	if p.Tier != nil && !OneOf(*p.Tier, Tiers) {
		pr.Add("tier", "must be one of %s", strings.Join(Tiers, ", "))
	}
	if p.Regions != nil {
		checkSet(&pr, "regions", *p.Regions, Regions, true)
	}
	if p.Verticals != nil {
		checkSet(&pr, "verticals", *p.Verticals, Verticals, false)
	}
	if p.Capacity != nil && (*p.Capacity < 0 || *p.Capacity > 100000) {
		pr.Add("capacity", "must be between 0 and 100000")
	}
	if p.CommissionBPS != nil && (*p.CommissionBPS < 0 || *p.CommissionBPS > 10000) {
		pr.Add("commission_bps", "must be between 0 and 10000")
	}
	if p.Status != nil && !OneOf(*p.Status, PartnerStatuses) {
		pr.Add("status", "must be active or paused")
	}
	if p.ContactEmail != nil && !ValidEmail(*p.ContactEmail) {
		pr.Add("contact_email", "must be an email address")
	}
	if p.ExcludedAxisValues != nil {
		for axis, vals := range *p.ExcludedAxisValues {
			set, ok := AxisValues[axis]
			if !ok {
				pr.Add("excluded_axis_values."+axis, "is not a routing axis (%s)", strings.Join(Axes, ", "))
				continue
			}
			checkSet(&pr, "excluded_axis_values."+axis, vals, set, false)
		}
	}
	return pr.Err(ECodeValidation, "the partner has invalid fields")
}

func checkSet(pr *FieldCheck, field string, vals, set []string, nonEmpty bool) {
	if nonEmpty && len(vals) == 0 {
		pr.Add(field, "must name at least one value")
		return
	}
	seen := map[string]bool{}
	for _, v := range vals {
		if !OneOf(v, set) {
			pr.Add(field, "%q is not one of %s", v, strings.Join(set, ", "))
		} else if seen[v] {
			pr.Add(field, "%q is repeated", v)
		}
		seen[v] = true
	}
}

// NormalizeExclusions sorts values and drops empty axes so that the stored
// form is canonical.
func NormalizeExclusions(m map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range m {
		if len(v) == 0 {
			continue
		}
		c := append([]string(nil), v...)
		sort.Strings(c)
		out[k] = c
	}
	return out
}

// ValidEmail reports whether s is a bare email address (no display name)
// with a dotted domain, that also passes the text rule of CheckText.
func ValidEmail(s string) bool {
	if len(s) < 3 || len(s) > 254 || strings.ContainsAny(s, " <>\t\r\n") || !utf8.ValidString(s) || textFault(s, false) != "" {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}
