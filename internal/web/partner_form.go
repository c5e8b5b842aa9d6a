package web

import (
	"net/url"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

// partnerFormPage creates or edits a partner: every field of SPEC §4, each
// with its value set.
type partnerFormPage struct {
	shell
	// Partner is the partner edited; its ID is empty on creation.
	Partner                             domain.Partner
	Form                                *consoleForm
	Problem                             string
	Tiers, Regions, Verticals, Statuses []option
	// Axes are the exclusion fieldsets: each axis with its values.
	Axes []axisOptions
}

type axisOptions struct {
	Axis, Label, Name string
	Options           []option
}

var partnerLabels = func() map[string]string {
	m := map[string]string{"name": "Name", "tier": "Tier", "regions": "Regions served", "verticals": "Verticals",
		"capacity": "Capacity", "commission_bps": "Commission rate", "status": "Status", "contact_email": "Contact email",
		"excluded_axis_values": "Exclusions"}
	for _, a := range domain.Axes {
		m[form.ExcludedPath(a)] = "Excluded " + label(axisLabels, a) + " values"
	}
	return m
}()

func newPartnerForm(s shell, p domain.Partner, vals url.Values) partnerFormPage {
	pg := partnerFormPage{shell: s, Partner: p, Form: newForm(vals, partnerLabels), Tiers: tierOptions, Regions: regionOptions,
		Verticals: verticalOptions, Statuses: statusOptions}
	for _, a := range domain.Axes {
		opts := make([]option, len(domain.AxisValues[a]))
		for i, v := range domain.AxisValues[a] {
			opts[i] = option{Value: v, Label: axisValueLabel(a, v)}
		}
		pg.Axes = append(pg.Axes, axisOptions{Axis: a, Label: label(axisLabels, a), Name: form.ExcludedPath(a), Options: opts})
	}
	return pg
}
