package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// settingsPage shows and changes the business settings, with their audit
// trail: who changed what, from what, and when.
type settingsPage struct {
	shell
	Form    *consoleForm
	Ints    []intSetting
	List    listView
	History []postgres.SettingsEntry
	Problem string
}

// intSetting is one whole-number setting of domain.IntSettings.
type intSetting struct {
	Name, Label, Hint string
}

// settingWords name and explain the settings.
var settingWords = map[string][2]string{
	"routing_mode":            {"Routing mode", "Auto offers the top partner at once; review holds each proposal until an admin confirms it."},
	"close_rate_threshold":    {"Close-rate threshold", "Between 0 and 1: partners at or above it on similar submissions always win over those below."},
	"window_days":             {"Track-record window (days)", "Outcomes decided within it count toward close rates."},
	"offer_ttl_hours":         {"Offer deadline (hours)", "How long a partner has to answer an offer."},
	"default_commission_bps":  {"Default commission (basis points)", "For partners created without a rate of their own: 1000 is 10%."},
	"stale_days":              {"Stale after (days)", "A record without an update for this long is flagged stale."},
	"stuck_identified_days":   {"Stuck in identified after (days)", ""},
	"follow_up_business_days": {"Follow-up due within (business days)", "After an acceptance, a record or an update is expected within this."},
	"outcome_grace_days":      {"Outcome grace (days)", "After the target close date, before the outcome counts as missing."},
	"cadence_weeks":           {"Cadence window (weeks)", "The weeks the submission cadence is drawn over."},
	"batch_quiet_weeks":       {"Batch: quiet weeks", "Quiet weeks before a burst that make a batch pattern."},
	"batch_week_min":          {"Batch: submissions in a burst week", ""},
}

var settingsLabels = func() map[string]string {
	m := map[string]string{}
	for k, v := range settingWords {
		m[k] = v[0]
	}
	return m
}()

// settingsValues are the controls' values for st.
func settingsValues(st domain.Settings) url.Values {
	v := url.Values{"routing_mode": {st.RoutingMode}, "close_rate_threshold": {strconv.FormatFloat(st.CloseRateThreshold, 'f', -1, 64)}}
	for _, is := range domain.IntSettings {
		v.Set(is.Name, strconv.Itoa(*is.Field(&st)))
	}
	return v
}

// showSettings is GET /console/settings.
func (p *Pages) showSettings(c *gin.Context) {
	st, err := p.db.Settings(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	pg, err := p.settingsPage(c, settingsValues(st))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/settings", pg)
}

func (p *Pages) settingsPage(c *gin.Context, vals url.Values) (settingsPage, error) {
	pg := settingsPage{shell: p.newShell(c, "Settings"), Form: newForm(vals, settingsLabels)}
	for _, is := range domain.IntSettings {
		w := settingWords[is.Name]
		hint := w[1]
		if hint != "" {
			hint += " "
		}
		hint += "From " + strconv.Itoa(is.Min) + " to " + strconv.Itoa(is.Max) + "."
		pg.Ints = append(pg.Ints, intSetting{Name: is.Name, Label: or(w[0], is.Name), Hint: hint})
	}
	h, err := p.db.SettingsHistory(c.Request.Context(), 500)
	if err != nil {
		return pg, err
	}
	pg.List = newList(c, []string{"changed"}, "changed", true, 25)
	pg.History = sortPage(&pg.List, h, map[string]func(a, b postgres.SettingsEntry) int{
		"changed": byInt(func(e postgres.SettingsEntry) int64 { return e.ID }),
	})
	return pg, nil
}
