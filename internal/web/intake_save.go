package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

// idempotencyPrefix keeps the pages' idempotency keys apart from those API
// clients choose.
const idempotencyPrefix = "web-"

// saveIntake is POST /: the same checks and the same storage call as POST
// /v1/intakes. On a problem the form is shown again, with every error next
// to its field and what was typed kept; on success the browser gets the
// access cookie and is sent (303) to the status page, so that a reload
// never posts again. A repeat of the same form (a double click, a reload
// of the POST) carries the same idempotency key and files nothing new.
func (p *Pages) saveIntake(c *gin.Context) {
	ctx := c.Request.Context()
	f := form.NewIntake(c.Request.PostForm)
	key := keepOrNewKey(f.Value(form.IdempotencyKey))
	f.SetValue(form.IdempotencyKey, key)
	m := f.Body()
	if err := intake.Validate(m.Body, p.db.Now()); err != nil {
		p.renderIntake(c, http.StatusUnprocessableEntity, withErrors(intakePage{Form: f}, m, err))
		return
	}
	dom, err := intake.NormalizeDomain(m.Body.Website)
	if err != nil {
		p.renderIntake(c, http.StatusUnprocessableEntity, withErrors(intakePage{Form: f}, m, err))
		return
	}

	// The allowance is the API's: one count per client address, shared
	// with POST /v1/intakes.
	ok, wait, err := p.limiter.Allow(ctx, "intake:"+c.ClientIP())
	if err != nil {
		p.log.WarnContext(ctx, "rate limiter unavailable; failing open", "err", err.Error())
	}
	if !ok {
		secs := max(int((wait+time.Second-1)/time.Second), 1)
		c.Header("Retry-After", strconv.Itoa(secs))
		p.renderIntake(c, http.StatusTooManyRequests, intakePage{Form: f, NoticeTitle: "Your intake was not sent",
			Notice: "Too many submissions from your network; try again in " + strconv.Itoa(secs) + " seconds."})
		return
	}

	// The raw body of a page's submission is its intake body as JSON: a
	// repeat of the same form is the same body, so it replays.
	raw, err := json.Marshal(m.Body)
	if err != nil {
		p.fail(c, err)
		return
	}
	res, err := p.db.SubmitIntake(ctx, m.Body.Normalized(), dom, idempotencyPrefix+key, raw)
	switch {
	case err == nil:
	case domain.ErrorCode(err) == domain.ECodeDuplicateIntake:
		// The API's message, which reveals nothing about the other intake.
		p.renderIntake(c, http.StatusConflict, intakePage{Form: f, NoticeTitle: "Your intake was not sent",
			Notice: sentence(domain.ErrorMessage(err)) + " If it is yours, open it with the private link you saved; withdraw it there to send a new one."})
		return
	case domain.ErrorCode(err) == domain.ECodeIdempotencyReused:
		// This form was sent before with other answers (the back button,
		// then changes): the first submission stands.
		f.SetValue(form.IdempotencyKey, newIdempotencyKey())
		p.renderIntake(c, http.StatusConflict, intakePage{Form: f, NoticeTitle: "Your intake was not sent",
			Notice: "This form was already sent with other answers, and that intake stands: open it with its private link. To send these answers as well, send the form again."})
		return
	case domain.ErrorCode(err) == domain.ECodeValidation:
		p.renderIntake(c, http.StatusUnprocessableEntity, withErrors(intakePage{Form: f}, m, err))
		return
	default:
		p.fail(c, err)
		return
	}
	if res.Replayed {
		p.log.InfoContext(ctx, "intake form sent again; the first submission is replayed")
	}
	p.grantAccess(c, res.IntakeID, res.AccessToken)
	p.setCookie(c, newCookie, "1", statusPath(res.IntakeID), newMaxAge)
	c.Redirect(http.StatusSeeOther, statusPath(res.IntakeID))
}
