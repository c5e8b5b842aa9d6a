package web

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

// intakePage is the intake form, empty or shown again with what is wrong.
type intakePage struct {
	layout
	Form *form.Intake
	CSRF string
	// Errors list every field error, in the order of the form, for the
	// summary at the top.
	Errors []fieldProblem
	errs   map[string]string
	// Notice is a problem with the submission as a whole (a duplicate, the
	// rate limit), under NoticeTitle.
	Notice, NoticeTitle string
}

// fieldProblem is one line of the error summary: its text, and the id of
// the control it links to.
type fieldProblem struct {
	Anchor, Text string
	order        int
}

// Error is the message shown next to control (or group) name, or "".
func (pg intakePage) Error(name string) string { return pg.errs[name] }

// Describe lists the ids that describe control name: its hint when hint
// is set, and its error when it has one.
func (pg intakePage) Describe(name string, hint any) string {
	var ids []string
	if s, _ := hint.(string); s != "" {
		ids = append(ids, form.ID(name)+"-hint")
	}
	if pg.errs[name] != "" {
		ids = append(ids, form.ID(name)+"-error")
	}
	return strings.Join(ids, " ")
}

// showIntake is GET / and /start: the empty form, with a fresh
// idempotency key that the form keeps until it is sent.
func (p *Pages) showIntake(c *gin.Context) {
	p.renderIntake(c, http.StatusOK, intakePage{Form: form.Empty(newIdempotencyKey())})
}

func (p *Pages) renderIntake(c *gin.Context, status int, pg intakePage) {
	pg.layout = layout{Title: "Start in 3 minutes", Scripts: []string{"intake.js"}}
	if len(pg.Errors) > 0 {
		pg.Title = "Fix your intake"
	}
	pg.CSRF = p.csrfToken(c)
	p.render(c, status, "intake", pg)
}

// intakeCSRFFailed answers a form posted without this browser's token,
// say after the browser was restarted: nothing is sent, and the form is
// shown again with what was typed, to be sent once more.
func (p *Pages) intakeCSRFFailed(c *gin.Context) {
	f := form.NewIntake(c.Request.PostForm)
	f.SetValue(form.IdempotencyKey, keepOrNewKey(f.Value(form.IdempotencyKey)))
	p.renderIntake(c, http.StatusForbidden, intakePage{Form: f, NoticeTitle: "Your intake was not sent",
		Notice: "This form had expired, so nothing was sent. Check your answers and send it again. (The pages need cookies; over plain HTTP they work only at http://localhost.)"})
}

// newIdempotencyKey is the key of one filled-in form: a reload or a
// double click sends the same key, and SubmitIntake files the intake once.
func newIdempotencyKey() string { return uuid.NewString() }

// keepOrNewKey keeps a posted key that the pages could have made, and
// replaces anything else.
func keepOrNewKey(k string) string {
	if u, err := uuid.Parse(k); err == nil && u.String() == k {
		return k
	}
	return newIdempotencyKey()
}

// fieldNames name each control for the sentences of the error summary.
var fieldNames = map[string]string{
	form.CompanyName: "Company name", form.Website: "Website", form.TeamSize: "Team size", form.Vertical: "Industry",
	form.Region: "Region", form.Stage: "Funding stage", form.GroupLastRound: "Last funding round",
	form.RoundName: "Round name", form.RoundAmount: "Amount raised", form.RoundLead: "Lead investor",
	form.RoundClosedOn: "Closing date", form.ServiceProfile: "What your AWS usage is mostly",
	form.EngagementType: "Engagement type", form.CompetingCloud: "Where you run today",
	form.GroupSpend: "Projected monthly AWS spend", form.UseCase: "What you are building",
	form.AWSAccountID: "AWS account ID", form.FundingSources: "Your choice of credits", form.GroupTech: "Technical contact",
	form.TechName: "Technical contact's name", form.TechEmail: "Technical contact's email",
	form.GroupBiz: "Business contact", form.BizName: "Business contact's name", form.BizEmail: "Business contact's email",
	form.Consent: "Consent",
}

// fieldOrder is the order of the controls on the page.
var fieldOrder = []string{form.CompanyName, form.Website, form.TeamSize, form.Vertical, form.Region, form.Stage,
	form.GroupLastRound, form.RoundName, form.RoundAmount, form.RoundLead, form.RoundClosedOn, form.ServiceProfile,
	form.EngagementType, form.CompetingCloud, form.GroupSpend, form.UseCase, form.AWSAccountID, form.FundingSources,
	form.GroupTech, form.TechName, form.TechEmail, form.GroupBiz, form.BizName, form.BizEmail, form.Consent}

var spendControl = regexp.MustCompile(`^spend\.(\d+)\.(service|usd)$`)

// describeControl says which control name is, for a sentence, and where it
// sits on the page.
func describeControl(name string) (text string, order int) {
	if m := spendControl.FindStringSubmatch(name); m != nil {
		line, _ := strconv.Atoi(m[1])
		what := "Service"
		if m[2] == "usd" {
			what = "Monthly amount"
		}
		return what + " on line " + strconv.Itoa(line+1), slices.Index(fieldOrder, form.GroupSpend)*1000 + 1 + line*2
	}
	if t, ok := fieldNames[name]; ok {
		return t, slices.Index(fieldOrder, name) * 1000
	}
	return "Your intake", len(fieldOrder) * 1000
}

// anchor is the id a summary line links to: the control, or the first
// control of a group.
func anchor(name string) string {
	switch name {
	case form.GroupLastRound:
		return form.ID(form.RoundName)
	case form.GroupSpend:
		return form.ID(form.SpendService(0))
	case form.GroupTech:
		return form.ID(form.TechName)
	case form.GroupBiz:
		return form.ID(form.BizName)
	case form.ServiceProfile, form.EngagementType, form.FundingSources:
		opts, _ := map[string][]option{form.ServiceProfile: profileOptions, form.EngagementType: engagementOptions,
			form.FundingSources: poolOptions}[name]
		return form.ID(name) + "-" + opts[0].Value
	case "":
		return "intake-form"
	}
	return form.ID(name)
}

var (
	spendPathInText = regexp.MustCompile(`projected_monthly_spend\[(\d+)\]`)
	// codeWords are the value codes a validation message may quote, and
	// how the page says them.
	codeWords = strings.NewReplacer(
		"pre_seed", "pre-seed", "series_a", "Series A", "series_b", "Series B", "series_c_plus", "Series C or later",
		"omit it or send null when unknown", "leave it blank if you have no AWS account yet",
	)
)

// withErrors fills the page's errors from a validation error, each next to
// its control and, in the order of the page, in the summary. The messages
// are the validator's own: the page only says which control they are
// about and quotes values as the form shows them.
func withErrors(pg intakePage, m form.Mapped, err error) intakePage {
	var de *domain.Error
	if !errors.As(err, &de) {
		return pg
	}
	pg.errs = map[string]string{}
	for _, fe := range de.Fields {
		control := m.Control(fe.Field)
		msg := spendPathInText.ReplaceAllStringFunc(fe.Message, func(s string) string {
			i, _ := strconv.Atoi(spendPathInText.FindStringSubmatch(s)[1])
			if line, ok := m.SpendLineOf(i); ok {
				return "line " + strconv.Itoa(line+1)
			}
			return "another line"
		})
		name, order := describeControl(control)
		text := name + " " + codeWords.Replace(msg)
		if prev, ok := pg.errs[control]; ok {
			pg.errs[control] = prev + " " + text
		} else {
			pg.errs[control] = text
		}
		pg.Errors = append(pg.Errors, fieldProblem{Anchor: anchor(control), Text: text, order: order})
	}
	slices.SortStableFunc(pg.Errors, func(a, b fieldProblem) int { return a.order - b.order })
	if de.Code != domain.ECodeValidation && len(pg.Errors) == 0 {
		pg.NoticeTitle, pg.Notice = "Your intake was not sent", sentence(de.Message)
	}
	return pg
}
