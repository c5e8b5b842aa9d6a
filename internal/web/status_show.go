package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// statusPage is the founder's private status page.
type statusPage struct {
	layout
	Company string
	// Link is the private link, shown once: on the first view after the
	// intake was sent.
	Link string
	// Done confirms an action just taken.
	Done string
	Live statusView
	Plan planView
}

// doneWords confirm an action after its redirect (?done=...). Only these
// fixed texts are ever shown.
var doneWords = map[string]string{
	"rerouted":  "Done: your partner is released, and we are choosing another one.",
	"withdrawn": "Done: your intake is withdrawn.",
}

// showStatus is GET /status/{id}: the status page for a browser holding
// the intake's access cookie, and the page asking for the private link for
// any other (whether or not the intake exists); 404 for an id that is not
// one.
func (p *Pages) showStatus(c *gin.Context) {
	in, ok := p.gate(c, http.StatusOK)
	if !ok {
		return
	}
	live, err := p.loadStatus(c.Request.Context(), in)
	if err != nil {
		p.fail(c, err)
		return
	}
	plan, err := intakePlan(in)
	if err != nil {
		p.fail(c, err)
		return
	}
	pg := statusPage{layout: layout{Title: "Your intake", Scripts: []string{"status.js"}},
		Company: in.CompanyName, Live: live, Plan: plan, Done: doneWords[c.Query("done")]}
	if _, err := c.Request.Cookie(newCookie); err == nil {
		// The first view after submission: the private link, once.
		if tok, ok := token(c); ok {
			pg.Link = origin(c.Request) + statusPath(in.ID) + "#" + tok
		}
		p.clearCookie(c, newCookie, statusPath(in.ID))
	}
	p.render(c, http.StatusOK, "status", pg)
}
