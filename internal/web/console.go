package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// The console: the pages of partner staff and CloudRoute's admins, under
// /console. They are built as the founder's pages are (server-rendered,
// every form working without JavaScript, one small file per page action),
// share their headers, assets and CSRF check, and call the same storage and
// rules as the API. Who may see a page is the session's user: its role, and
// for partner staff its partner, exactly as an API key's (docs/web.md,
// "The console").

// registerConsole adds the console's routes to g (the pages' group, which
// sets the security headers).
func (p *Pages) registerConsole(g *gin.RouterGroup) {
	csrf := p.checkCSRF(p.consoleCSRFFailed)
	anyone := p.signedIn()
	partner := p.signedIn(domain.RolePartner)
	admin := p.signedIn(domain.RoleAdmin)

	// The shell: signing in and out, invitations, passwords.
	g.GET("/console", anyone, p.consoleHome)
	g.GET("/console/sign-in", p.showSignIn)
	g.POST("/console/sign-in", csrf, p.saveSignIn)
	g.POST("/console/sign-out", anyone, csrf, p.saveSignOut)
	g.GET("/console/invitation", p.showInvitation)
	g.POST("/console/invitation", csrf, p.saveInvitation)
	g.GET("/console/password", anyone, p.showPassword)
	g.POST("/console/password", anyone, csrf, p.savePassword)

	// Partner staff.
	g.GET("/console/inbox", partner, p.showInbox)
	g.GET("/console/offers/:id", partner, p.showOffer)
	g.POST("/console/offers/:id/accept", partner, csrf, p.saveAccept)
	g.GET("/console/offers/:id/decline", partner, p.showDecline)
	g.POST("/console/offers/:id/decline", partner, csrf, p.saveDecline)
	g.GET("/console/engagements", partner, p.showEngagements)
	g.GET("/console/engagements/:id", partner, p.showEngagement)
	g.POST("/console/engagements/:id/records", partner, csrf, p.saveNewRecord)
	g.GET("/console/records/:id", partner, p.showRecord)
	g.POST("/console/records/:id", partner, csrf, p.saveRecord)
	g.GET("/console/records/:id/move", partner, p.showMove)
	g.POST("/console/records/:id/move", partner, csrf, p.saveMove)
	g.GET("/console/records/:id/brief", partner, p.showBrief)
	g.GET("/console/health", partner, p.showHealth)
	g.GET("/console/statements", anyone, p.showStatements)
	g.GET("/console/keys", partner, p.showOwnKeys)
	g.POST("/console/keys", partner, csrf, p.saveOwnKey)
	g.GET("/console/keys/:key/revoke", partner, p.showRevokeOwnKey)
	g.POST("/console/keys/:key/revoke", partner, csrf, p.saveRevokeOwnKey)

	// Admins.
	g.GET("/console/intakes", admin, p.showQueue)
	g.GET("/console/intakes/:id", admin, p.showAdminIntake)
	g.POST("/console/intakes/:id/confirm", admin, csrf, p.saveConfirmReview)
	g.GET("/console/intakes/:id/assign", admin, p.showAssign)
	g.POST("/console/intakes/:id/assign", admin, csrf, p.saveAssign)
	g.GET("/console/intakes/:id/release", admin, p.showRelease)
	g.POST("/console/intakes/:id/release", admin, csrf, p.saveRelease)
	g.GET("/console/partners", admin, p.showPartners)
	g.GET("/console/partners/new", admin, p.showNewPartner)
	g.POST("/console/partners/new", admin, csrf, p.saveNewPartner)
	g.GET("/console/partners/:id", admin, p.showPartner)
	g.GET("/console/partners/:id/edit", admin, p.showEditPartner)
	g.POST("/console/partners/:id/edit", admin, csrf, p.saveEditPartner)
	g.POST("/console/partners/:id/status", admin, csrf, p.savePartnerStatus)
	g.POST("/console/partners/:id/keys", admin, csrf, p.savePartnerKey)
	g.GET("/console/partners/:id/keys/:key/revoke", admin, p.showRevokePartnerKey)
	g.POST("/console/partners/:id/keys/:key/revoke", admin, csrf, p.saveRevokePartnerKey)
	g.GET("/console/partners/:id/invite", admin, p.showInvite)
	g.POST("/console/partners/:id/invite", admin, csrf, p.saveInvite)
	g.GET("/console/partners/:id/track-record", admin, p.showImport)
	g.POST("/console/partners/:id/track-record", admin, csrf, p.saveImport)
	g.GET("/console/partners/:id/adjustment", admin, p.showAdjustment)
	g.POST("/console/partners/:id/adjustment", admin, csrf, p.saveAdjustment)
	g.GET("/console/users", admin, p.showUsers)
	g.GET("/console/users/invite", admin, p.showInvite)
	g.POST("/console/users/invite", admin, csrf, p.saveInvite)
	g.GET("/console/users/:user/disable", admin, p.showDisable)
	g.POST("/console/users/:user/disable", admin, csrf, p.saveDisable)
	g.GET("/console/statements/:id/settle", admin, p.showSettle)
	g.POST("/console/statements/:id/settle", admin, csrf, p.saveSettle)
	g.GET("/console/settings", admin, p.showSettings)
	g.POST("/console/settings", admin, csrf, p.saveSettings)
	g.GET("/console/routing-index", admin, p.showIndex)
	g.GET("/console/what-if", admin, p.showWhatIf)
	g.GET("/console/metrics", admin, p.showMetrics)
}

// viewer is the signed-in person a console page is rendered for.
type viewer struct {
	postgres.User
	// PartnerName is the partner of partner staff.
	PartnerName string
	// token is the session's; it never reaches a template.
	token string
}

func (v viewer) IsAdmin() bool { return v.Role == domain.RoleAdmin }

// principal is the viewer as the actor of a change, audited with its user
// id.
func (v viewer) principal() domain.Principal { return v.User.Principal() }

// partnerID is the partner whose objects a partner user may reach.
func (v viewer) partnerID() string {
	if v.PartnerID == nil {
		return ""
	}
	return *v.PartnerID
}

const viewerKey = "console.viewer"

// sessionToken is the console session cookie's value: the same cookie the
// JSON API reads (api.SessionCookie), so that a signed-in browser may call
// /v1 too.
func sessionToken(c *gin.Context) string {
	ck, err := c.Request.Cookie(api.SessionCookie)
	if err != nil {
		return ""
	}
	return ck.Value
}

// signedIn admits a live session's user of one of roles (any role when
// none is given). Without a live session a page redirects to the sign-in
// page, which comes back here afterwards; a user of another role gets the
// 403 page. Either way the handler does not run, so a form posted without
// a session writes nothing.
func (p *Pages) signedIn(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		tok := sessionToken(c)
		if tok == "" {
			p.toSignIn(c)
			return
		}
		u, err := p.db.Session(c.Request.Context(), tok)
		switch {
		case domain.ErrorCode(err) == domain.ECodeUnauthenticated:
			api.SetSessionCookie(c, "")
			p.toSignIn(c)
			return
		case err != nil:
			p.fail(c, err)
			c.Abort()
			return
		}
		v := viewer{User: u, token: tok}
		if len(roles) > 0 && !domain.OneOf(u.Role, roles) {
			p.forbidden(c, v)
			c.Abort()
			return
		}
		if v.Role == domain.RolePartner {
			pt, err := p.db.Partner(c.Request.Context(), v.partnerID())
			if err != nil {
				p.fail(c, err)
				c.Abort()
				return
			}
			v.PartnerName = pt.Name
		}
		c.Set(viewerKey, v)
		c.Next()
	}
}

// viewerOf is the user signedIn admitted.
func viewerOf(c *gin.Context) viewer {
	v, _ := c.Get(viewerKey)
	vw, _ := v.(viewer)
	return vw
}

// toSignIn sends a browser without a session to the sign-in page. A page
// it asked for is remembered in next, so that it gets there after signing
// in; a form it posted is not sent again.
func (p *Pages) toSignIn(c *gin.Context) {
	target := "/console/sign-in"
	if c.Request.Method == http.MethodGet {
		target += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
	}
	c.Redirect(http.StatusSeeOther, target)
	c.Abort()
}

// safeNext is where a sign-in may send the browser: a console page of this
// site, and nothing else, so that the parameter cannot send anyone away.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/console") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" || strings.HasPrefix(u.Path, "/console/sign-") {
		return ""
	}
	return u.RequestURI()
}

// homeOf is the first page of a role.
func homeOf(role string) string {
	if role == domain.RoleAdmin {
		return "/console/intakes"
	}
	return "/console/inbox"
}

// consoleHome is GET /console: the viewer's first page.
func (p *Pages) consoleHome(c *gin.Context) {
	c.Redirect(http.StatusSeeOther, homeOf(viewerOf(c).Role))
}

// shell is what every console page's layout reads.
type shell struct {
	layout
	// Viewer is nil on the pages of a browser without a session.
	Viewer *viewer
	Nav    []navLink
	// CSRF is the token of every form on the page, the sign-out button's
	// included.
	CSRF string
	// Done confirms the action just taken (after its redirect).
	Done string
}

type navLink struct {
	Href, Label string
	Current     bool
}

var (
	partnerNav = []navLink{{Href: "/console/inbox", Label: "Inbox"}, {Href: "/console/engagements", Label: "Engagements"},
		{Href: "/console/health", Label: "Pipeline health"}, {Href: "/console/statements", Label: "Statements"},
		{Href: "/console/keys", Label: "API keys"}}
	adminNav = []navLink{{Href: "/console/intakes", Label: "Intakes"}, {Href: "/console/partners", Label: "Partners"},
		{Href: "/console/statements", Label: "Statements"}, {Href: "/console/routing-index", Label: "Routing index"},
		{Href: "/console/what-if", Label: "What-if"}, {Href: "/console/metrics", Label: "Metrics"},
		{Href: "/console/settings", Label: "Settings"}, {Href: "/console/users", Label: "Users"}}
)

// newShell is the layout of a page titled title for the request's viewer
// (none on the sign-in pages), with the navigation of its role and the
// current section marked.
func (p *Pages) newShell(c *gin.Context, title string) shell {
	s := shell{layout: layout{Title: title}, CSRF: p.csrfToken(c), Done: consoleDone[c.Query("done")]}
	v, ok := c.Get(viewerKey)
	if !ok {
		return s
	}
	vw := v.(viewer)
	s.Viewer = &vw
	nav := partnerNav
	if vw.IsAdmin() {
		nav = adminNav
	}
	path := c.Request.URL.Path
	s.Nav = make([]navLink, len(nav))
	for i, l := range nav {
		l.Current = path == l.Href || strings.HasPrefix(path, l.Href+"/") ||
			(l.Href == "/console/engagements" && strings.HasPrefix(path, "/console/records/")) ||
			(l.Href == "/console/inbox" && strings.HasPrefix(path, "/console/offers/"))
		s.Nav[i] = l
	}
	return s
}

// consoleDone confirms an action after its redirect (?done=...). Only these
// fixed texts are ever shown.
var consoleDone = map[string]string{
	"signed-out":     "You are signed out.",
	"password-set":   "Your password is set. Sign in with your email and the new password.",
	"password":       "Your password is changed. Your other sessions are signed out.",
	"accepted":       "You accepted the offer. The customer's contacts and full intake are below.",
	"declined":       "You declined the offer. CloudRoute offers the intake to another partner.",
	"record-created": "The record is created, in identified. Complete what it needs before you submit it.",
	"record-saved":   "The record is saved.",
	"moved":          "The record has moved.",
	"key-revoked":    "The key is revoked: requests with it are refused from now on.",
	"partner":        "The partner is saved.",
	"paused":         "The partner is paused: routing offers it nothing until it is active again.",
	"active":         "The partner is active: routing may offer it intakes.",
	"imported":       "The track record is imported. The routing index takes it into account within seconds.",
	"adjusted":       "The adjustment is booked on the partner's open statement.",
	"disabled":       "The user is disabled and signed out everywhere.",
	"settled":        "The statement is updated.",
	"settings":       "The settings are saved; the change is in the audit trail below.",
	"assigned":       "The intake is offered to the partner you chose.",
	"confirmed":      "The proposal is confirmed: the intake is offered to the proposed partner.",
	"released":       "The partner is released, and the intake is routed again.",
}

// consoleMessage is a console page that says one thing.
type consoleMessage struct {
	shell
	Heading, Text   string
	Back, BackLabel string
}

// forbidden is the answer to a signed-in user asking for a page of another
// role.
func (p *Pages) forbidden(c *gin.Context, v viewer) {
	c.Set(viewerKey, v)
	pg := consoleMessage{shell: p.newShell(c, "Not for your account"), Heading: "This page is not for your account",
		Text: "It belongs to another role of the console. Nothing was changed.", Back: homeOf(v.Role), BackLabel: "Go to your first page"}
	p.render(c, http.StatusForbidden, "c/message", pg)
}

// consoleNotFound is the answer for an object that does not exist or that
// the viewer may not see: the same page, so that it tells nothing.
func (p *Pages) consoleNotFound(c *gin.Context) {
	pg := consoleMessage{shell: p.newShell(c, "Not found"), Heading: "Not found",
		Text: "There is nothing here for your account: it does not exist, or it belongs to someone else.",
		Back: homeOf(viewerOf(c).Role), BackLabel: "Go to your first page"}
	p.render(c, http.StatusNotFound, "c/message", pg)
}

// consoleCSRFFailed answers a console form posted without this browser's
// token: refused before its handler ran, so nothing was written.
func (p *Pages) consoleCSRFFailed(c *gin.Context) {
	back := "/console"
	if v, ok := c.Get(viewerKey); ok {
		back = homeOf(v.(viewer).Role)
	}
	pg := consoleMessage{shell: p.newShell(c, "This form has expired"), Heading: "This form has expired",
		Text: "Nothing was changed. Go back, reload the page and send the form again. (The console needs cookies; over plain HTTP it works only at http://localhost.)",
		Back: back, BackLabel: "Go back to the console"}
	p.render(c, http.StatusForbidden, "c/message", pg)
}

// consoleFailure is fail's page in the console's layout.
func (p *Pages) consoleFailure(c *gin.Context, status int, text string) {
	pg := consoleMessage{shell: p.newShell(c, "Something went wrong"), Heading: "Something went wrong", Text: text}
	var buf bytes.Buffer
	if t, ok := p.pages["c/message"]; !ok || t.ExecuteTemplate(&buf, "layout", pg) != nil {
		c.String(status, text)
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// consoleFail shows err: a refusal of the rules (a *domain.Error other
// than not_found, unavailable or internal) in its own words with status,
// not_found as the not-found page, and anything else as a failure.
func (p *Pages) consoleFail(c *gin.Context, err error) {
	if domain.ErrorCode(err) == domain.ECodeNotFound {
		p.consoleNotFound(c)
		return
	}
	p.fail(c, err)
}
