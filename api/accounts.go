package api

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/account"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// SessionCookie holds a signed-in person's session token. It is HttpOnly
// (no script reads it), SameSite=Lax (no cross-site POST carries it) and
// Secure outside localhost.
const SessionCookie = "cr_session"

// CSRFHeader carries a session's CSRF token on the JSON API; the pages
// carry it in a hidden form field.
const CSRFHeader = "X-CSRF-Token"

// Sign-in limits: per client IP, and per email whether or not it has an
// account, so that the answer never says which emails exist.
const (
	signInPerIP      = 30
	signInPerAccount = 10
	signInWindow     = 15 * time.Minute
)

func (s *Server) registerAccountRoutes(r *gin.RouterGroup) {
	admin := s.requireRole(domain.RoleAdmin)
	r.POST("/session", s.signIn)
	r.GET("/session", s.requireSession, s.currentSession)
	r.DELETE("/session", s.requireSession, s.signOut)
	r.POST("/session/password", s.requireSession, s.changePassword)
	r.POST("/invitations/accept", s.acceptInvitation)
	r.POST("/admin/users", admin, s.inviteUser)
	r.GET("/admin/users", admin, s.listUsers)
	r.POST("/admin/users/:id/disable", admin, s.disableUser)
}

// userView is a person's account as the API shows it.
type userView struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	PartnerID *string   `json:"partner_id"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

func toUserView(u postgres.User) userView {
	return userView{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, PartnerID: u.PartnerID, Status: u.Status,
		CreatedAt: u.CreatedAt.UTC()}
}

type sessionView struct {
	User      userView `json:"user"`
	CSRFToken string   `json:"csrf_token"`
}

// secureCookies reports whether cookies must be Secure: everywhere but on
// a loopback host, where development runs over plain HTTP.
func secureCookies(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// SetSessionCookie sets (or, with an empty token, clears) the session
// cookie on the response.
func SetSessionCookie(c *gin.Context, token string) {
	ck := &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: secureCookies(c.Request),
		SameSite: http.SameSiteLaxMode}
	if token == "" {
		ck.MaxAge = -1
	}
	http.SetCookie(c.Writer, ck)
}

// sessionToken is the session cookie's value, or "".
func sessionToken(c *gin.Context) string {
	ck, err := c.Request.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return ck.Value
}

func (s *Server) signIn(c *gin.Context) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	email := account.NormalizeEmail(req.Email)
	var p domain.FieldCheck
	if email == "" {
		p.Add("email", "is required")
	}
	if req.Password == "" {
		p.Add("password", "is required")
	}
	if err := p.Err(domain.ECodeValidation, "the sign-in has missing fields"); err != nil {
		respondError(c, err)
		return
	}
	if !s.signInAllowed(c, email) {
		return
	}
	u, token, err := s.db.SignIn(c.Request.Context(), email, req.Password, sessionToken(c))
	if err != nil {
		respondError(c, err)
		return
	}
	SetSessionCookie(c, token)
	c.JSON(http.StatusCreated, sessionView{User: toUserView(u), CSRFToken: account.CSRFToken(token)})
}

// SignInLimiter limits sign-in attempts per client IP and per email
// (whether or not the email has an account, so that the answer never says
// which emails exist). The JSON API and the console's sign-in page share
// its counters in Redis: a client has one allowance whichever it uses.
type SignInLimiter struct{ ip, account *RateLimiter }

// NewSignInLimiter builds the sign-in limits on l's Redis.
func NewSignInLimiter(l *RateLimiter) *SignInLimiter {
	return &SignInLimiter{ip: l.with(signInPerIP, signInWindow), account: l.with(signInPerAccount, signInWindow)}
}

// Allow counts one sign-in attempt from clientIP for email (normalised by
// account.NormalizeEmail) and reports whether it is within both limits
// and, if not, how long until the attempt may be made again. When Redis
// cannot be asked it fails open: ok is true and err says why.
func (s *SignInLimiter) Allow(ctx context.Context, clientIP, email string) (ok bool, retryAfter time.Duration, err error) {
	for _, lim := range []struct {
		l   *RateLimiter
		key string
	}{
		{s.ip, "signin-ip:" + clientIP},
		{s.account, "signin-account:" + hexHash(email)},
	} {
		allowed, wait, lerr := lim.l.Allow(ctx, lim.key)
		if lerr != nil {
			lim.l.failOpen.Inc()
			err = lerr
		}
		if !allowed {
			return false, wait, err
		}
	}
	return true, 0, err
}

// signInAllowed counts a sign-in attempt against the client IP and the
// email, and answers 429 when either is over its limit.
func (s *Server) signInAllowed(c *gin.Context, email string) bool {
	ok, wait, err := s.signInLimits.Allow(c.Request.Context(), c.ClientIP(), email)
	if err != nil {
		logFrom(c).Warn("rate limiter unavailable; failing open", "err", err.Error())
	}
	if !ok {
		rateLimited(c, wait)
	}
	return ok
}

func (s *Server) currentSession(c *gin.Context) {
	u, _ := c.Get(keyUser)
	c.JSON(http.StatusOK, sessionView{User: toUserView(u.(postgres.User)), CSRFToken: account.CSRFToken(sessionToken(c))})
}

func (s *Server) signOut(c *gin.Context) {
	if err := s.db.SignOut(c.Request.Context(), sessionToken(c)); err != nil {
		respondError(c, err)
		return
	}
	SetSessionCookie(c, "")
	c.Status(http.StatusNoContent)
}

func (s *Server) changePassword(c *gin.Context) {
	var req struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if err := s.db.ChangePassword(c.Request.Context(), principal(c).UserID, req.CurrentPassword, req.NewPassword,
		sessionToken(c)); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) acceptInvitation(c *gin.Context) {
	var req struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	u, err := s.db.AcceptInvitation(c.Request.Context(), strings.TrimSpace(req.Token), req.Password)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserView(u))
}

// invitationView answers an invitation: the user and the single-use link
// an admin passes on (until mail sends it).
type invitationView struct {
	User          userView  `json:"user"`
	InvitationURL string    `json:"invitation_url"`
	ExpiresAt     time.Time `json:"expires_at"`
}

func (s *Server) inviteUser(c *gin.Context) {
	var req struct {
		Email     string `json:"email"`
		Name      string `json:"name"`
		Role      string `json:"role"`
		PartnerID string `json:"partner_id"`
	}
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	u, inv, err := s.db.InviteUser(c.Request.Context(), principal(c), req.Email, req.Name, req.Role, req.PartnerID)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, invitationView{User: toUserView(u), InvitationURL: InvitationURL(c.Request, inv.Token),
		ExpiresAt: inv.ExpiresAt.UTC()})
}

// InvitationURL is the link that accepts an invitation: the token travels
// in the fragment, which browsers never send to a server or in a Referer.
func InvitationURL(r *http.Request, token string) string {
	scheme := "https"
	if !secureCookies(r) {
		scheme = "http"
	}
	return scheme + "://" + r.Host + "/console/invitation#" + token
}

func (s *Server) listUsers(c *gin.Context) {
	us, err := s.db.Users(c.Request.Context(), c.Query("partner_id"))
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]userView, len(us))
	for i, u := range us {
		items[i] = toUserView(u)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *Server) disableUser(c *gin.Context) {
	u, err := s.db.DisableUser(c.Request.Context(), principal(c), c.Param("id"), "")
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserView(u))
}
