package ace_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
)

func TestSeenByPartner(t *testing.T) {
	s := func(v string) *string { return &v }
	full := ace.RecordFields{CompanyName: s("Acme"), Website: s("https://acme.example"), UseCase: s("telemetry"),
		AWSAccountID: s("123456789012"), TechnicalContact: &ace.Contact{Name: s("Ada"), Email: s("ada@acme.example")},
		BusinessContact: &ace.Contact{Name: s("Grace")}, LastRound: &ace.Round{Round: s("Seed"), LeadInvestor: s("Example Ventures")}}
	hidden := ace.RecordFields{UseCase: s("telemetry"), LastRound: &ace.Round{Round: s("Seed")}}
	for _, c := range []struct {
		status, state string
		fields        ace.RecordFields
		editable      []string
	}{
		{domain.AssignmentAccepted, ace.StateIdentified, full, ace.FieldNames},
		{domain.AssignmentAccepted, ace.StateSubmitted, full, ace.EditableFields(ace.StateSubmitted)},
		{domain.AssignmentAccepted, ace.StateClosed, full, nil},
		{domain.AssignmentReleased, ace.StateIdentified, hidden, nil},
		{domain.AssignmentReleased, ace.StateLaunched, hidden, nil},
		{domain.AssignmentCompleted, ace.StateClosed, hidden, nil},
		{domain.AssignmentOffered, ace.StateIdentified, hidden, nil},
		{"", ace.StateIdentified, hidden, nil},
	} {
		t.Run(c.status+"/"+c.state, func(t *testing.T) {
			f, editable := ace.SeenByPartner(full, c.state, c.status)
			if diff := cmp.Diff(c.fields, f); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.editable, editable); diff != "" {
				t.Errorf("editable (-want +got):\n%s", diff)
			}
		})
	}
	if full.LastRound.LeadInvestor == nil {
		t.Error("SeenByPartner changed the caller's record")
	}
}
