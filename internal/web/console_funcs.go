package web

import (
	"html/template"
	"reflect"
	"time"
)

// consoleFuncs are the template functions of the console's pages.
func (p *Pages) consoleFuncs() template.FuncMap {
	return template.FuncMap{
		"time": func(v reflect.Value) template.HTML { return timeTag(unwrap(v)) },
		"utc": func(v reflect.Value) string {
			t, ok := timeArg(unwrap(v))
			if !ok {
				return "—"
			}
			return utcText(t)
		},
		"iso":              func(v reflect.Value) string { t, _ := timeArg(unwrap(v)); return t.UTC().Format(time.RFC3339) },
		"countdown":        func(t time.Time) string { return countdown(t, p.db.Now()) },
		"usd":              usd,
		"cents":            cents,
		"percent":          func(v reflect.Value) string { return ratePercent(unwrap(v)) },
		"decimal":          func(v reflect.Value) string { return decimal(unwrap(v)) },
		"duration":         duration,
		"deref":            deref,
		"intakeStatus":     func(v string) string { return label(intakeStatusLabels, v) },
		"assignmentStatus": func(v string) string { return label(assignmentStatusLabels, v) },
		"recordState":      func(v string) string { return label(consoleStateLabels, v) },
		"moveLabel":        func(v string) string { return label(moveLabels, v) },
		"axisName":         func(v string) string { return label(axisLabels, v) },
		"axisValue":        axisValueLabel,
		"tier":             func(v string) string { return label(tierLabels, v) },
		"pool":             func(v string) string { return label(poolLabels, v) },
		"poolRange":        poolRange,
		"flag":             func(v string) string { return label(flagLabels, v) },
		"cloud":            func(v string) string { return label(cloudLabels, v) },
		"statementState":   func(v string) string { return label(statementStateLabels, v) },
		"userStatus":       func(v string) string { return label(userStatusLabels, v) },
		"service":          serviceLabel,
		"componentWords":   func() map[string]string { return componentLabels },
		"sortKeys":         func() []string { return []string{"month", "partner", "state", "total"} },
		"sortWords": func() map[string]string {
			return map[string]string{"month": "month", "partner": "partner", "state": "state", "total": "total"}
		},
		"refWords":    func() map[string]string { return map[string]string{"invoiced": "invoice", "paid": "payment"} },
		"bpsPercent":  func(bps int) float64 { return float64(bps) / 100 },
		"settingName": func() map[string]string { return settingsLabels },
		"chartTitles": func() []string {
			return []string{"Routing turnaround (submission to offer)", "Offer acceptance rate", "Close rate by pool",
				"Credits approved", "Commission accrued and paid"}
		},
	}
}

// unwrap reads a template argument: a nil pointer is nil, any other
// pointer its value. The console's functions take reflect.Value so that
// an optional figure (*float64, *time.Time) that is nil reaches them as
// nil, where the template package would fail dereferencing it.
func unwrap(v reflect.Value) any {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return nil
	}
	return v.Interface()
}
