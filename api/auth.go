package api

import (
	"strings"

	"github.com/gin-gonic/gin"

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
		for _, r := range roles {
			if p.Role == r {
				c.Set(keyPrincipal, p)
				c.Next()
				return
			}
		}
		respondError(c, domain.Errorf(domain.ECodeForbidden, "this key's role may not do this"))
	}
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
