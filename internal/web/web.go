// Package web serves the founder's pages beside the JSON API, from the same
// binary and the same gin engine: the 3-minute intake form at / (and
// /start), and the private status page of an intake at /status/{id}.
//
// The pages are rendered on the server with html/template, which escapes
// whatever a founder typed, and every form works without JavaScript: two
// small scripts only enhance them (hiding the last round for pre-seed,
// adding spend lines, refreshing the status while routing runs, exchanging
// a private link for a cookie). Templates, styles and scripts are embedded
// in the binary; nothing is loaded from another host. docs/web.md explains
// the choices.
//
// The handlers call the same rules and storage as the API (intake.Validate,
// postgres.SubmitIntake, routing.WhyChosen, creditplan.For), one small file
// per page action, as miniflux does: intake_show.go shows the form,
// intake_save.go takes it.
package web

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/config"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

//go:embed templates/*.html templates/console/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// limiter throttles intake submissions per client; the API's Redis rate
// limiter is one (api.RateLimiter). It fails open: err reports a limiter
// that could not be asked, and ok is then true.
type limiter interface {
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error)
}

// signInLimiter counts sign-in attempts per client IP and per email
// (api.SignInLimiter).
type signInLimiter interface {
	Allow(ctx context.Context, clientIP, email string) (ok bool, retryAfter time.Duration, err error)
}

// Deps are what the pages need from the process.
type Deps struct {
	DB *postgres.DB
	// Limiter throttles intake submissions. Pass the API's limiter, so that
	// the page and POST /v1/intakes share one allowance per client.
	Limiter limiter
	// SignIn limits the console's sign-in attempts. When nil and Limiter
	// is an *api.RateLimiter, the API's own limits are built on it, so
	// that a client has one allowance of attempts whether it signs in
	// through the page or POST /v1/session.
	SignIn signInLimiter
	// SecretKey is config.Config.SecretKey: at least 32 bytes.
	SecretKey []byte
	Log       *slog.Logger
}

// Pages holds the parsed templates and the keys of the founder's pages.
type Pages struct {
	db      *postgres.DB
	limiter limiter
	signIn  signInLimiter
	log     *slog.Logger
	csrfKey []byte
	pages   map[string]*template.Template
	assets  *assets
}

// New parses the embedded templates and derives the pages' keys from
// d.SecretKey. It fails on a key shorter than config.MinSecretKeyBytes.
func New(d Deps) (*Pages, error) {
	if len(d.SecretKey) < config.MinSecretKeyBytes {
		return nil, fmt.Errorf("web: the secret key has %d bytes, want at least %d", len(d.SecretKey), config.MinSecretKeyBytes)
	}
	if d.DB == nil || d.Limiter == nil || d.Log == nil {
		return nil, errors.New("web: DB, Limiter and Log are required")
	}
	// Each use of the key gets a key of its own, so that a token signed
	// for one purpose is never valid for another.
	csrfKey, err := hkdf.Key(sha256.New, d.SecretKey, nil, "cloudroute web csrf v1", sha256.Size)
	if err != nil {
		return nil, err
	}
	st, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	a, err := loadAssets(st)
	if err != nil {
		return nil, err
	}
	p := &Pages{db: d.DB, limiter: d.Limiter, signIn: d.SignIn, log: d.Log, csrfKey: csrfKey, assets: a}
	if p.signIn == nil {
		rl, ok := d.Limiter.(*api.RateLimiter)
		if !ok {
			return nil, errors.New("web: SignIn is required unless Limiter is an *api.RateLimiter")
		}
		p.signIn = api.NewSignInLimiter(rl)
	}
	if p.pages, err = parseTemplates(a, p.consoleFuncs()); err != nil {
		return nil, err
	}
	return p, nil
}

// Register adds the pages to the engine that serves the API. Their paths
// are apart from /v1, /healthz and /readyz:
//
//	GET  /, /start                  the intake form
//	POST /                          submit it
//	GET  /status/:id                the status page (the access cookie), or the page that asks for the private link
//	GET  /status/:id/live           the status section alone, for the page to refresh itself
//	POST /status/:id/session        exchange the private link (or token) for the access cookie
//	GET  /status/:id/reroute        confirm "we did not connect"
//	POST /status/:id/reroute        release the partner and route again
//	GET  /status/:id/withdraw       confirm the withdrawal
//	POST /status/:id/withdraw       withdraw the intake
//	GET  /static/*file              the embedded styles and scripts
//	     /console/...                the partner and admin console (registerConsole)
func (p *Pages) Register(e *gin.Engine) {
	g := e.Group("", p.headers)
	g.GET("/", p.showIntake)
	g.GET("/start", p.showIntake)
	g.POST("/", p.checkCSRF(p.intakeCSRFFailed), p.saveIntake)
	g.GET("/status/:id", p.showStatus)
	g.GET("/status/:id/live", p.showLive)
	g.POST("/status/:id/session", p.checkCSRF(nil), p.createSession)
	g.GET("/status/:id/reroute", p.showReroute)
	g.POST("/status/:id/reroute", p.checkCSRF(nil), p.saveReroute)
	g.GET("/status/:id/withdraw", p.showWithdraw)
	g.POST("/status/:id/withdraw", p.checkCSRF(nil), p.saveWithdraw)
	g.GET("/static/*file", p.serveStatic)
	p.registerConsole(g)
}

// contentSecurityPolicy allows only this origin's own scripts, styles,
// images (and data: images), and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// headers sets the security headers of every page and asset. The founder's
// pages carry a secret in their address or their cookie: no page sends a
// Referer, and none is kept in a cache.
func (p *Pages) headers(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if !strings.HasPrefix(c.FullPath(), "/static/") {
		h.Set("Cache-Control", "no-store")
	}
	c.Next()
}

// layout is what every page template reads besides its own data.
type layout struct {
	Title   string
	Scripts []string
}

// render writes the named page with status. It renders into a buffer
// first, so that a template error is a clean 500, never half a page.
func (p *Pages) render(c *gin.Context, status int, name string, data any) {
	t, ok := p.pages[name]
	if !ok {
		p.fail(c, fmt.Errorf("web: no page %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		p.fail(c, fmt.Errorf("web: rendering %s: %w", name, err))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// renderPart writes one template of a page without the layout: the live
// status section.
func (p *Pages) renderPart(c *gin.Context, status int, page, part string, data any) {
	var buf bytes.Buffer
	if err := p.pages[page].ExecuteTemplate(&buf, part, data); err != nil {
		p.fail(c, fmt.Errorf("web: rendering %s/%s: %w", page, part, err))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// messagePage is a page that says one thing: an error, a refusal.
type messagePage struct {
	layout
	Heading string
	Text    string
	// Back, when set, is a link back (to the status page or the form).
	Back, BackLabel string
}

// fail logs err and shows a page that says nothing internal. An
// unavailable database is a 503 that says to retry.
func (p *Pages) fail(c *gin.Context, err error) {
	status, text := http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment."
	if isUnavailable(err) {
		status, text = http.StatusServiceUnavailable, "CloudRoute cannot reach its database right now. Please try again in a minute."
		c.Header("Retry-After", "5")
	}
	p.log.ErrorContext(c.Request.Context(), "page failed", "route", c.FullPath(), "err", err.Error())
	if strings.HasPrefix(c.FullPath(), "/console") {
		p.consoleFailure(c, status, text)
		return
	}
	t, ok := p.pages["message"]
	if !ok {
		c.String(status, text)
		return
	}
	var buf bytes.Buffer
	if t.ExecuteTemplate(&buf, "layout", messagePage{layout: layout{Title: "Something went wrong"}, Heading: "Something went wrong", Text: text}) != nil {
		c.String(status, text)
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// notFound is the answer for an address that names nothing: an intake id
// that is not one, or an unknown static file.
func (p *Pages) notFound(c *gin.Context) {
	p.render(c, http.StatusNotFound, "message", messagePage{layout: layout{Title: "Page not found"},
		Heading: "Page not found", Text: "There is nothing at this address.", Back: "/", BackLabel: "Go to the intake form"})
}

// isLoopback reports whether the request was addressed to this machine by
// a loopback name (localhost, 127.0.0.1, [::1]).
func isLoopback(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(strings.ToLower(host), "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// secure reports whether cookies must be Secure: always, except for a
// browser talking to this machine over plain HTTP by a loopback name (a
// developer's laptop). Anywhere else the pages are meant to be served over
// HTTPS, by a proxy in front if need be.
func secure(r *http.Request) bool { return r.TLS != nil || !isLoopback(r) }

// origin is the scheme and host the founder reached the pages at, for the
// private link shown once.
func origin(r *http.Request) string {
	scheme := "https"
	if !secure(r) {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}
