package jobs

import "net/url"

// links are the addresses mails point at, all under PUBLIC_URL, written
// here once:
//   - /status/{id}: the founder's status page (internal/web), which asks
//     for the private link unless the browser holds the intake's cookie;
//     only the receipt carries the private link itself (#<token>);
//   - /console/...: the console of partner staff and admins (the console
//     issue serves these paths);
//   - /v1/unsubscribe?token=...: one-click unsubscription (RFC 8058).
type links struct{ base string }

func (l links) status(intakeID string) string { return l.base + "/status/" + intakeID }
func (l links) privateStatus(intakeID, token string) string {
	return l.status(intakeID) + "#" + token
}
func (l links) offer(assignmentID string) string {
	return l.base + "/console/assignments/" + assignmentID
}
func (l links) offers() string                { return l.base + "/console/assignments" }
func (l links) record(recordID string) string { return l.base + "/console/records/" + recordID }
func (l links) pipeline() string              { return l.base + "/console/pipeline" }
func (l links) statement(statementID string) string {
	return l.base + "/console/statements/" + statementID
}
func (l links) webhooks() string { return l.base + "/console/webhooks" }
func (l links) adminIntake(intakeID string) string {
	return l.base + "/console/admin/intakes/" + intakeID
}
func (l links) adminConsole() string { return l.base + "/console/admin/intakes" }
func (l links) unsubscribe(token string) string {
	return l.base + "/v1/unsubscribe?token=" + url.QueryEscape(token)
}
