package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// CSRF protection is a signed double submit, with no server-side session:
//
//   - the browser holds a random value R in the cookie cr_csrf (HttpOnly,
//     SameSite=Strict, Path=/);
//   - every form carries, in the hidden field csrf_token, HMAC-SHA256 of R
//     under a key derived from CLOUDROUTE_SECRET_KEY;
//   - a POST is taken only when the field is the HMAC of the cookie's R.
//
// Another site can make a browser post a form, but it can neither read the
// cookie nor compute the HMAC, and a site that manages to plant its own
// cookie (a sibling subdomain) still cannot sign it. SameSite=Strict keeps
// the cookie off cross-site requests in the first place, and a request a
// browser marks as cross-site or same-site (Sec-Fetch-Site) or whose Origin
// names another host is refused before any of that.
const (
	csrfCookie = "cr_csrf"
	csrfField  = "csrf_token"
	// csrfRandomBytes is the size of R: 256 bits.
	csrfRandomBytes = 32
)

var b64 = base64.RawURLEncoding

// csrfToken returns the hidden field's value for this browser, setting the
// cookie when the browser has none (or a malformed one).
func (p *Pages) csrfToken(c *gin.Context) string {
	r, ok := csrfValue(c)
	if !ok {
		raw := make([]byte, csrfRandomBytes)
		rand.Read(raw)
		r = b64.EncodeToString(raw)
		http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: r, Path: "/", HttpOnly: true,
			Secure: secure(c.Request), SameSite: http.SameSiteStrictMode})
	}
	return p.csrfSign(r)
}

// csrfValue is the browser's R, when it sent a well-formed one.
func csrfValue(c *gin.Context) (string, bool) {
	ck, err := c.Request.Cookie(csrfCookie)
	if err != nil {
		return "", false
	}
	raw, err := b64.DecodeString(ck.Value)
	if err != nil || len(raw) != csrfRandomBytes {
		return "", false
	}
	return ck.Value, true
}

func (p *Pages) csrfSign(r string) string {
	m := hmac.New(sha256.New, p.csrfKey)
	m.Write([]byte(r))
	return b64.EncodeToString(m.Sum(nil))
}

// csrfOK reports whether the posted form is this browser's own.
func (p *Pages) csrfOK(c *gin.Context) bool {
	if !sameOrigin(c.Request) {
		return false
	}
	r, ok := csrfValue(c)
	if !ok {
		return false
	}
	got := c.Request.PostFormValue(csrfField)
	return hmac.Equal([]byte(got), []byte(p.csrfSign(r)))
}

// sameOrigin refuses what a browser says comes from another site. The
// pages send no Referer, so a browser sends "Origin: null" with their own
// posts; only a real origin of another host is held against a request.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// checkCSRF refuses a post without this browser's token with 403 before
// the handler runs, so that nothing is written. onFail, when set, answers
// instead of the plain refusal page.
func (p *Pages) checkCSRF(onFail gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := parseForm(c.Request); err != nil {
			status, heading, text := http.StatusBadRequest, "The form could not be read", "Please go back, reload the page and try again."
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				status, heading = http.StatusRequestEntityTooLarge, "The form is too large"
				text = fmt.Sprintf("Nothing was sent: a form may hold up to %d KB.", mbe.Limit>>10)
				if strings.HasPrefix(c.FullPath(), "/console") {
					text = fmt.Sprintf("Nothing was changed: a form, with its file, may hold up to %d KB here. Larger track records go through the API.", mbe.Limit>>10)
				}
			}
			if strings.HasPrefix(c.FullPath(), "/console") {
				p.render(c, status, "c/message", consoleMessage{shell: p.newShell(c, heading), Heading: heading, Text: text,
					Back: "/console", BackLabel: "Go back to the console"})
			} else {
				p.render(c, status, "message", messagePage{layout: layout{Title: heading}, Heading: heading, Text: text,
					Back: "/", BackLabel: "Go to the intake form"})
			}
			c.Abort()
			return
		}
		if p.csrfOK(c) {
			c.Next()
			return
		}
		p.log.WarnContext(c.Request.Context(), "form refused: CSRF token missing or wrong", "route", c.FullPath())
		if onFail != nil {
			onFail(c)
		} else {
			p.render(c, http.StatusForbidden, "message", messagePage{layout: layout{Title: "This form has expired"},
				Heading: "This form has expired",
				Text:    "Nothing was changed. Go back, reload the page and send the form again. (The pages need cookies; over plain HTTP they work only at http://localhost.)",
				Back:    "/", BackLabel: "Go to the intake form"})
		}
		c.Abort()
	}
}

// maxFormMemory is how much of a multipart form (an uploaded file) is held
// in memory; the body limit of the engine bounds the whole.
const maxFormMemory = 2 << 20

// parseForm reads a posted form, URL-encoded or multipart (a file upload),
// so that its CSRF field can be checked before the handler runs.
func parseForm(r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		return r.ParseMultipartForm(maxFormMemory)
	}
	return r.ParseForm()
}
