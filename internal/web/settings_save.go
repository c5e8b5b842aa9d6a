package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// saveSettings is POST /console/settings: every setting of the form as a
// patch, held to domain.SettingsPatch.Validate by postgres.UpdateSettings,
// which audits each change in the admin's name. On a refusal the form
// comes back with what was typed and each field's message; nothing
// changes.
func (p *Pages) saveSettings(c *gin.Context) {
	vals := c.Request.PostForm
	pg, err := p.settingsPage(c, vals)
	if err != nil {
		p.fail(c, err)
		return
	}
	var patch domain.SettingsPatch
	var bad domain.FieldCheck
	mode := strings.TrimSpace(vals.Get("routing_mode"))
	patch.RoutingMode = &mode
	if s := strings.TrimSpace(vals.Get("close_rate_threshold")); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			bad.Add("close_rate_threshold", "must be a number between 0 and 1, such as 0.7")
		}
		patch.CloseRateThreshold = &f
	}
	patch.Ints = map[string]int{}
	for _, is := range domain.IntSettings {
		s := strings.ReplaceAll(strings.TrimSpace(vals.Get(is.Name)), ",", "")
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			bad.Add(is.Name, "must be a whole number")
			continue
		}
		patch.Ints[is.Name] = n
	}
	if !bad.Empty() {
		pg.Form.addErrors(bad.Err(domain.ECodeValidation, ""), nil, "routing_mode")
		p.render(c, http.StatusUnprocessableEntity, "c/settings", pg)
		return
	}
	if _, err := p.db.UpdateSettings(c.Request.Context(), viewerOf(c).principal(), patch); err != nil {
		if !refusal(err) {
			p.fail(c, err)
			return
		}
		if !pg.Form.addErrors(err, nil, "routing_mode") {
			pg.Problem = sentence(domain.ErrorMessage(err))
		}
		p.render(c, statusOf(err), "c/settings", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/settings?done=settings")
}
