package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// passwordPage changes the signed-in person's password.
type passwordPage struct {
	shell
	Form *consoleForm
}

var passwordLabels = map[string]string{"current_password": "Current password", "new_password": "New password",
	"new_password_again": "The new password again"}

// showPassword is GET /console/password.
func (p *Pages) showPassword(c *gin.Context) {
	p.render(c, http.StatusOK, "c/password", passwordPage{shell: p.newShell(c, "Change your password"), Form: newForm(nil, passwordLabels)})
}
