package acesync_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/acesync"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// TestCheckLinkedMove walks every move the state machine allows, for each
// role: a partner may not make the moves AWS makes on a linked record;
// every other allowed move, and every move of an admin, stays allowed.
func TestCheckLinkedMove(t *testing.T) {
	aws := map[string]bool{
		"submitted→validated": true, "submitted→rejected": true, "validated→rejected": true, "approved→launched": true,
	}
	for _, role := range []string{domain.RolePartner, domain.RoleAdmin, domain.RoleAWS} {
		for _, from := range ace.States {
			for _, to := range ace.States {
				if ace.CheckTransition(from, to) != nil {
					continue
				}
				move := from + "→" + to
				t.Run(role+" "+move, func(t *testing.T) {
					err := acesync.CheckLinkedMove(role, from, to)
					refused := role == domain.RolePartner && aws[move]
					if !refused {
						if err != nil {
							t.Fatalf("refused: %v", err)
						}
						return
					}
					if domain.ErrorCode(err) != domain.ECodeInvalidTransition || !strings.Contains(domain.ErrorMessage(err), "ACE") {
						t.Fatalf("err = %v, want invalid_transition naming ACE", err)
					}
				})
			}
		}
	}
	// The award and the close stay the partner's: ACE does not carry them.
	for _, m := range [][2]string{{"validated", "approved"}, {"launched", "closed"}, {"identified", "submitted"}, {"submitted", "withdrawn"}} {
		if err := acesync.CheckLinkedMove(domain.RolePartner, m[0], m[1]); err != nil {
			t.Errorf("%s → %s refused: %v", m[0], m[1], err)
		}
	}
}

func TestCheckLinkable(t *testing.T) {
	for _, s := range ace.States {
		err := acesync.CheckLinkable(s)
		if s == ace.StateIdentified {
			if err != nil {
				t.Errorf("%s: %v", s, err)
			}
			continue
		}
		if domain.ErrorCode(err) != domain.ECodeConflict {
			t.Errorf("%s: %v, want conflict", s, err)
		}
	}
}

func TestCheckExtra(t *testing.T) {
	got, err := acesync.CheckExtra(acesync.Extra{CountryCode: " us ", PostalCode: " 94103 ", StateOrRegion: "California",
		City: "San Francisco", SolutionID: "S-0012345", DeliveryModels: []string{"SaaS or PaaS"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.CountryCode != "US" || got.PostalCode != "94103" {
		t.Errorf("not normalised: %+v", got)
	}
	if _, err := acesync.CheckExtra(acesync.Extra{}); err != nil {
		t.Errorf("an empty link (everything from the record): %v", err)
	}
	for _, c := range []struct {
		name   string
		x      acesync.Extra
		fields []string
	}{
		{"every bad field at once", acesync.Extra{CountryCode: "XX", PostalCode: strings.Repeat("9", 21), City: "a\x00b",
			StreetAddress: strings.Repeat("x", 256), SolutionID: "1234",
			DeliveryModels: []string{"Carrier pigeon", "SaaS or PaaS", "SaaS or PaaS"}},
			[]string{"country_code", "postal_code", "city", "street_address", "solution_id", "delivery_models[0]", "delivery_models[2]"}},
		{"a US state ACE does not name", acesync.Extra{CountryCode: "US", StateOrRegion: "Cal"}, []string{"state_or_region"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := acesync.CheckExtra(c.x)
			var de *domain.Error
			if !errorsAs(err, &de) || de.Code != domain.ECodeValidation {
				t.Fatalf("err = %v, want validation_failed", err)
			}
			var fields []string
			for _, f := range de.Fields {
				fields = append(fields, f.Field)
			}
			if d := cmp.Diff(c.fields, fields); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
		})
	}
}

// TestPreflight: the pre-flight names ACE's field and the CloudRoute
// field it comes from, before anything is sent.
func TestPreflight(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r := record()
	short := "Too short."
	r.Fields.UseCase = &short
	r.Extra.PostalCode = ""
	var got []string
	for _, e := range acesync.Preflight("Sandbox", r, now) {
		got = append(got, e.String()+" ["+acesync.CloudRouteField(e.Field)+"]")
	}
	want := []string{
		"Customer.Account.Address.PostalCode is required [link: postal code]",
		"Project.CustomerBusinessProblem must be at least 20 characters (has 10) [use_case (record, else intake)]",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pre-flight (-want +got):\n%s", d)
	}
	if errs := acesync.Preflight("Sandbox", record(), now); len(errs) != 0 {
		t.Errorf("a complete record: %v", errs)
	}
}

func errorsAs(err error, de **domain.Error) bool { return errors.As(err, de) }

// TestEditUnderActionRequired: while AWS asks for action on a submitted
// record, the partner may fix what ACE lets it change; otherwise the
// record's own rule holds.
func TestEditUnderActionRequired(t *testing.T) {
	fix := ace.RecordFields{UseCase: ptr("A longer account of the customer's business problem."), Website: ptr("https://example.com")}
	if err := acesync.CheckEdit(ace.StateSubmitted, true, fix); err != nil {
		t.Errorf("the fix is refused under Action Required: %v", err)
	}
	if err := acesync.CheckEdit(ace.StateSubmitted, false, fix); domain.ErrorCode(err) != domain.ECodeValidation {
		t.Errorf("the fix outside Action Required: %v", err)
	}
	if err := acesync.CheckEdit(ace.StateSubmitted, true, ace.RecordFields{CompanyName: ptr("Other Inc")}); domain.ErrorCode(err) != domain.ECodeValidation {
		t.Errorf("a member ACE keeps locked: %v", err)
	}
	if err := acesync.CheckEdit(ace.StateClosed, true, fix); domain.ErrorCode(err) != domain.ECodeInvalidTransition {
		t.Errorf("a closed record: %v", err)
	}
	if got := acesync.EditableFields(ace.StateSubmitted, true); !slices.Contains(got, "use_case") || !slices.Contains(got, "partner_role") {
		t.Errorf("editable under Action Required: %v", got)
	}
	if got := acesync.EditableFields(ace.StateValidated, true); slices.Contains(got, "use_case") {
		t.Errorf("editable when validated: %v", got)
	}
}
