package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/account"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// requireRole authenticates an API key and admits only the given roles:
// 401 unauthenticated without a known key, 403 forbidden for another role.
func (s *Server) requireRole(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		tok := bearer(c)
		if tok == "" && sessionToken(c) != "" {
			// A signed-in browser: the session's user, with its role.
			if !s.authenticateSession(c) {
				return
			}
			s.admitRoles(c, principal(c), roles)
			return
		}
		if tok == "" {
			respondError(c, domain.Errorf(domain.ECodeUnauthenticated, "an API key is required (Authorization: Bearer <key>)"))
			return
		}
		var p domain.Principal
		if strings.HasPrefix(tok, postgres.FounderTokenPrefix) {
			// An intake token is a valid credential, but never for these routes.
			if _, err := s.db.IntakeByToken(c.Request.Context(), tok); err != nil {
				respondError(c, tokenError(err))
				return
			}
			p = domain.Principal{Role: domain.RoleFounder}
		} else {
			var err error
			if p, err = s.db.Authenticate(c.Request.Context(), tok); err != nil {
				respondError(c, err)
				return
			}
		}
		s.admitRoles(c, p, roles)
	}
}

// admitRoles lets the request through when p has one of roles, and
// answers 403 otherwise.
func (s *Server) admitRoles(c *gin.Context, p domain.Principal, roles []string) {
	for _, r := range roles {
		if p.Role == r {
			c.Set(keyPrincipal, p)
			c.Next()
			return
		}
	}
	respondError(c, domain.Errorf(domain.ECodeForbidden, "this role may not do this"))
}

// requireSession admits only a signed-in person (not an API key).
func (s *Server) requireSession(c *gin.Context) {
	if sessionToken(c) == "" {
		respondError(c, domain.Errorf(domain.ECodeUnauthenticated, "sign in first"))
		return
	}
	if s.authenticateSession(c) {
		c.Next()
	}
}

// authenticateSession resolves the session cookie to its user and sets
// the principal. A state-changing request must carry the session's CSRF
// token in the X-CSRF-Token header: the cookie alone, which a browser
// attaches on its own, proves nothing about who asked. It reports whether
// the request may go on; otherwise it has answered.
func (s *Server) authenticateSession(c *gin.Context) bool {
	tok := sessionToken(c)
	u, err := s.db.Session(c.Request.Context(), tok)
	if err != nil {
		respondError(c, err)
		return false
	}
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if !account.CheckCSRF(tok, c.GetHeader(CSRFHeader)) {
			respondError(c, domain.Errorf(domain.ECodeForbidden, "the CSRF token is missing or wrong (send the session's csrf_token as X-CSRF-Token)"))
			return false
		}
	}
	c.Set(keyUser, u)
	c.Set(keyPrincipal, u.Principal())
	return true
}

// principal returns the caller set by requireRole or founderOrAdmin.
func principal(c *gin.Context) domain.Principal {
	p, _ := c.Get(keyPrincipal)
	pr, _ := p.(domain.Principal)
	return pr
}

// founderOrAdmin admits an admin key, or the access token of the intake
// named by the :id path parameter. Another intake's token is 404, as if the
// intake did not exist; a missing or unknown token is 401.
func (s *Server) founderOrAdmin(allowAdmin bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		tok := bearer(c)
		if tok == "" && sessionToken(c) != "" {
			// A signed-in admin reads intakes as an admin key does.
			if !s.authenticateSession(c) {
				return
			}
			if principal(c).Role != domain.RoleAdmin || !allowAdmin {
				respondError(c, domain.Errorf(domain.ECodeForbidden, "only the intake's founder may do this"))
				return
			}
			c.Next()
			return
		}
		if tok == "" {
			respondError(c, domain.Errorf(domain.ECodeUnauthenticated, "the intake's access token is required (Authorization: Bearer <token>)"))
			return
		}
		if strings.HasPrefix(tok, postgres.FounderTokenPrefix) {
			id, err := s.db.IntakeByToken(c.Request.Context(), tok)
			if err != nil {
				respondError(c, tokenError(err))
				return
			}
			if id != c.Param("id") {
				respondError(c, domain.NotFound())
				return
			}
			c.Set(keyPrincipal, domain.Principal{Role: domain.RoleFounder, IntakeID: id})
			c.Next()
			return
		}
		p, err := s.db.Authenticate(c.Request.Context(), tok)
		if err != nil {
			respondError(c, err)
			return
		}
		if p.Role != domain.RoleAdmin || !allowAdmin {
			respondError(c, domain.Errorf(domain.ECodeForbidden, "only the intake's founder may do this"))
			return
		}
		c.Set(keyPrincipal, p)
		c.Next()
	}
}

// tokenError is 401 for a token that matches no intake; any other failure
// (Postgres unreachable) keeps its own answer, so a client is never told
// that a good token is bad.
func tokenError(err error) error {
	if domain.ErrorCode(err) == domain.ECodeNotFound {
		return domain.Errorf(domain.ECodeUnauthenticated, "the access token is unknown")
	}
	return err
}

// hexHash is a short, stable key for a value that must not be stored as it
// is (an email in a Redis key).
func hexHash(v string) string {
	h := sha256.Sum256([]byte(v))
	return hex.EncodeToString(h[:16])
}
