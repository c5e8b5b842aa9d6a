package web

import (
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

// consoleForm is a console form as shown: what was typed, kept when the
// page is shown again, and each control's message. The messages are the
// rules' own (a *domain.Error's fields), put after the control's label:
// "Capacity must be between 0 and 100000".
type consoleForm struct {
	vals url.Values
	errs map[string]string
	// order lists the controls with an error, in the order they were
	// added, for the summary at the top of the page.
	order  []string
	labels map[string]string
}

// newForm is a form holding vals (nil for an empty one); labels name each
// control, for the messages.
func newForm(vals url.Values, labels map[string]string) *consoleForm {
	if vals == nil {
		vals = url.Values{}
	}
	return &consoleForm{vals: vals, errs: map[string]string{}, labels: labels}
}

// Value is a control's value as typed.
func (f *consoleForm) Value(name string) string { return f.vals.Get(name) }

// Checked reports whether a checkbox or radio button name with value is
// checked.
func (f *consoleForm) Checked(name, value string) bool { return slices.Contains(f.vals[name], value) }

// Error is a control's message, "" for none.
func (f *consoleForm) Error(name string) string { return f.errs[name] }

// Describe lists the ids that describe control name: its hint when it has
// one, and its error when it has one.
func (f *consoleForm) Describe(name string, hint any) string {
	var ids []string
	if s, _ := hint.(string); s != "" {
		ids = append(ids, form.ID(name)+"-hint")
	}
	if f.errs[name] != "" {
		ids = append(ids, form.ID(name)+"-error")
	}
	return strings.Join(ids, " ")
}

// HasErrors reports whether any control has a message.
func (f *consoleForm) HasErrors() bool { return len(f.errs) > 0 }

// summaryLine is one line of the error summary: a link to its control.
type summaryLine struct{ ID, Text string }

// Summary lists every message, each linking to its control.
func (f *consoleForm) Summary() []summaryLine {
	out := make([]summaryLine, 0, len(f.order))
	for _, n := range f.order {
		out = append(out, summaryLine{ID: form.ID(n), Text: f.errs[n]})
	}
	return out
}

// set puts a whole message on a control (the first one a control gets is
// kept).
func (f *consoleForm) set(name, msg string) {
	if _, ok := f.errs[name]; ok {
		return
	}
	f.errs[name] = sentence(msg)
	f.order = append(f.order, name)
}

// add puts a rule's message on a control, after the control's label.
func (f *consoleForm) add(name, ruleMsg string) {
	l, ok := f.labels[name]
	if !ok {
		l = name
	}
	f.set(name, l+" "+ruleMsg)
}

// addErrors puts the field errors of err on their controls, through
// control, which maps a rule's field path to a control name ("" to put it
// on fallback). It reports whether err named any field.
func (f *consoleForm) addErrors(err error, control func(field string) string, fallback string) bool {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return false
	}
	for _, fe := range de.Fields {
		name := fe.Field
		if control != nil {
			name = control(fe.Field)
		}
		if name == "" {
			name = fallback
		}
		f.add(name, humanize(fe.Message, f.labels))
	}
	return true
}

// humanize rewrites the field names a rule's message quotes ("must not be
// before engagement_start_date") into their labels ("engagement start
// date"). Longer names go first, so that a name inside another is not
// replaced on its own.
func humanize(msg string, labels map[string]string) string {
	names := make([]string, 0, len(labels))
	for name := range labels {
		if strings.Contains(name, "_") && strings.Contains(msg, name) {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
	for _, name := range names {
		msg = strings.ReplaceAll(msg, name, lowerFirst(labels[name]))
	}
	return msg
}

// lowerFirst lowers a label's first letter, unless it starts an acronym
// ("AWS account").
func lowerFirst(s string) string {
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
