package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/mail"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// Sent mail and opting out. With the embedded default (no SMTP_URL) every
// mail is kept in Postgres, and admins read them here: the console's "Sent
// mail". The one-click unsubscribe link of digests and reminders lands on
// /v1/unsubscribe.

func (s *Server) registerMailRoutes(r *gin.RouterGroup) {
	admin := s.requireRole(domain.RoleAdmin)
	r.GET("/admin/mail", admin, s.listMail)
	r.GET("/admin/mail/:id", admin, s.getMail)
	r.GET("/unsubscribe", s.unsubscribeStatus)
	r.POST("/unsubscribe", s.unsubscribe)
}

// mailSummaryView is a stored mail in the list.
type mailSummaryView struct {
	ID        string    `json:"id"`
	MessageID string    `json:"message_id"`
	EventID   string    `json:"event_id"`
	Kind      string    `json:"kind"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	Date      time.Time `json:"date"`
	CreatedAt time.Time `json:"created_at"`
}

// mailHeaderView is one extra header of a stored mail.
type mailHeaderView struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// mailView is a stored mail, whole.
type mailView struct {
	mailSummaryView
	Text            string           `json:"text"`
	HTML            string           `json:"html"`
	Headers         []mailHeaderView `json:"headers"`
	ListUnsubscribe *string          `json:"list_unsubscribe"`
}

func toMailSummaryView(m postgres.StoredMail) mailSummaryView {
	return mailSummaryView{ID: m.ID, MessageID: m.MessageID, EventID: m.EventID, Kind: m.Kind, From: m.From, To: m.To,
		Subject: m.Subject, Date: m.Date, CreatedAt: m.CreatedAt}
}

func toMailView(m postgres.StoredMail) mailView {
	v := mailView{mailSummaryView: toMailSummaryView(m), Text: m.Text, HTML: m.HTML, ListUnsubscribe: m.ListUnsubscribe,
		Headers: []mailHeaderView{}}
	for _, h := range m.HeaderList() {
		v.Headers = append(v.Headers, mailHeaderView{Name: h.Name, Value: h.Value})
	}
	return v
}

// mailKinds are the kinds a list can be narrowed to.
var mailKinds = []string{string(mail.KindFounderReceipt), string(mail.KindFounderPartnerAssigned), string(mail.KindFounderRerouted),
	string(mail.KindPartnerOffer), string(mail.KindPartnerOfferReminder), string(mail.KindPartnerOfferExpired),
	string(mail.KindPartnerHygieneDigest), string(mail.KindPartnerStatementInvoiced), string(mail.KindPartnerWebhookDisabled),
	string(mail.KindAdminDigest), string(mail.KindConsoleInvitation), string(mail.KindConsolePasswordReset)}

func (s *Server) listMail(c *gin.Context) {
	var pr domain.FieldCheck
	f := postgres.MailFilter{Kind: c.Query("kind"), To: c.Query("to")}
	if f.Kind != "" && !domain.OneOf(f.Kind, mailKinds) {
		pr.Add("kind", "must be a kind of mail")
	}
	domain.CheckText(&pr, "to", f.To, 0, 254, false)
	f.Limit, f.After = pageParams(c, &pr)
	if err := pr.Err(domain.ECodeValidation, "bad query parameters"); err != nil {
		respondError(c, err)
		return
	}
	ms, next, err := s.db.ListSentMail(c.Request.Context(), f)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": mapSlice(ms, toMailSummaryView), "next_cursor": nullable(next)})
}

func (s *Server) getMail(c *gin.Context) {
	m, err := s.db.SentMail(c.Request.Context(), c.Param("id"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, toMailView(m))
}

// unsubscribeToken reads and checks the token of the link.
func (s *Server) unsubscribeToken(c *gin.Context) (email, topic string, err error) {
	email, topic, err = s.unsub.ParseToken(c.Query("token"))
	if err != nil {
		return "", "", &domain.Error{Code: domain.ECodeValidation, Message: "the unsubscribe link is not valid",
			Fields: []domain.FieldError{{Field: "token", Message: "is not a token from an unsubscribe link"}}}
	}
	return email, topic, nil
}

// unsubscribeStatus says what the link turns off and whether it is off
// already. It changes nothing: a GET may be a link scanner's (RFC 8058).
func (s *Server) unsubscribeStatus(c *gin.Context) {
	email, topic, err := s.unsubscribeToken(c)
	if err != nil {
		respondError(c, err)
		return
	}
	off, err := s.db.OptedOut(c.Request.Context(), email, topic)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"email": email, "topic": topic, "unsubscribed": off})
}

// unsubscribe turns the link's topic off for its address: the one-click
// POST of RFC 8058 (body "List-Unsubscribe=One-Click", which is not
// needed). Doing it twice is doing it once.
func (s *Server) unsubscribe(c *gin.Context) {
	email, topic, err := s.unsubscribeToken(c)
	if err != nil {
		respondError(c, err)
		return
	}
	if err := s.db.OptOut(c.Request.Context(), email, topic); err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"email": email, "topic": topic, "unsubscribed": true})
}
