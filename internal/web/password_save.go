package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// savePassword is POST /console/password: postgres.ChangePassword checks
// the current password and the account rules, sets the new one and signs
// out every other session of the person; this one stays.
func (p *Pages) savePassword(c *gin.Context) {
	v := viewerOf(c)
	cur := c.Request.PostFormValue("current_password")
	next := c.Request.PostFormValue("new_password")
	pg := passwordPage{shell: p.newShell(c, "Change your password"), Form: newForm(nil, passwordLabels)}
	if cur == "" {
		pg.Form.add("current_password", "is required")
	}
	if next == "" {
		pg.Form.add("new_password", "is required")
	} else if c.Request.PostFormValue("new_password_again") != next {
		pg.Form.set("new_password_again", "The two new passwords differ: type the same new password twice")
	}
	if pg.Form.HasErrors() {
		p.render(c, http.StatusUnprocessableEntity, "c/password", pg)
		return
	}
	err := p.db.ChangePassword(c.Request.Context(), v.ID, cur, next, v.token)
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/console/password?done=password")
	case pg.Form.addErrors(err, nil, "new_password"):
		p.render(c, http.StatusUnprocessableEntity, "c/password", pg)
	default:
		p.consoleFail(c, err)
	}
}
