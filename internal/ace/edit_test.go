package ace_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
)

func TestMergeFields(t *testing.T) {
	base := ace.RecordFields{
		CompanyName:           new("Ledgerly"),
		Website:               new("ledgerly.io"),
		ProjectedMonthlySpend: []ace.SpendLine{{Service: "EC2", USD: 500}, {Service: "S3", USD: 50}},
		TechnicalContact:      &ace.Contact{Name: new("Ada")},
		LastRound:             &ace.Round{Round: new("series_a")},
		POCPlan:               &ace.POCPlan{ModelChoice: new("Titan"), BudgetItems: []ace.BudgetItem{{Description: "a", USD: 1}}},
	}
	patch := ace.RecordFields{
		CompanyName:           new("Ledgerly Ltd"),
		UseCase:               new("now with a use case"),
		ProjectedMonthlySpend: []ace.SpendLine{{Service: "RDS", USD: 300}},
		TechnicalContact:      &ace.Contact{Email: new("ada@ledgerly.io")},
		BusinessContact:       &ace.Contact{Name: new("Bo")},
		LastRound:             &ace.Round{LeadInvestor: new("Accel")},
		POCPlan:               &ace.POCPlan{BudgetItems: []ace.BudgetItem{{Description: "b", USD: 2}}},
		NewAccountPlaceholder: new(false),
	}
	want := ace.RecordFields{
		CompanyName:           new("Ledgerly Ltd"),
		Website:               new("ledgerly.io"),
		UseCase:               new("now with a use case"),
		ProjectedMonthlySpend: []ace.SpendLine{{Service: "RDS", USD: 300}},
		NewAccountPlaceholder: new(false),
		TechnicalContact:      &ace.Contact{Name: new("Ada"), Email: new("ada@ledgerly.io")},
		BusinessContact:       &ace.Contact{Name: new("Bo")},
		LastRound:             &ace.Round{Round: new("series_a"), LeadInvestor: new("Accel")},
		POCPlan:               &ace.POCPlan{ModelChoice: new("Titan"), BudgetItems: []ace.BudgetItem{{Description: "b", USD: 2}}},
	}
	baseBefore, _ := json.Marshal(base)
	got := ace.MergeFields(base, patch)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MergeFields (-want +got):\n%s", diff)
	}
	if after, _ := json.Marshal(base); string(after) != string(baseBefore) {
		t.Errorf("MergeFields modified base:\n%s\n%s", baseBefore, after)
	}
	if diff := cmp.Diff(base, ace.MergeFields(base, ace.RecordFields{})); diff != "" {
		t.Errorf("empty patch changed the record (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(patch, ace.MergeFields(ace.RecordFields{}, patch)); diff != "" {
		t.Errorf("patch onto empty (-want +got):\n%s", diff)
	}
	// An empty list is given: it replaces the lines (and then counts as
	// missing at submission).
	cleared := ace.MergeFields(base, ace.RecordFields{ProjectedMonthlySpend: []ace.SpendLine{}})
	if cleared.ProjectedMonthlySpend == nil || len(cleared.ProjectedMonthlySpend) != 0 {
		t.Errorf("empty list did not replace: %v", cleared.ProjectedMonthlySpend)
	}
}

// TestFieldNamesCoverTheStruct keeps FieldNames and SetFields in step with
// the struct: a field added to RecordFields without them fails here.
func TestFieldNamesCoverTheStruct(t *testing.T) {
	var all ace.RecordFields
	v := reflect.ValueOf(&all).Elem()
	var tags []string
	for i := 0; i < v.NumField(); i++ {
		sf := v.Type().Field(i)
		tags = append(tags, strings.Split(sf.Tag.Get("json"), ",")[0])
		switch sf.Type.Kind() {
		case reflect.Pointer:
			v.Field(i).Set(reflect.New(sf.Type.Elem()))
		case reflect.Slice:
			v.Field(i).Set(reflect.MakeSlice(sf.Type, 0, 0))
		default:
			t.Fatalf("field %s is neither pointer nor slice, so a patch cannot leave it out", sf.Name)
		}
	}
	if diff := cmp.Diff(tags, ace.FieldNames); diff != "" {
		t.Errorf("FieldNames (-struct +FieldNames):\n%s", diff)
	}
	if diff := cmp.Diff(tags, all.SetFields()); diff != "" {
		t.Errorf("SetFields (-struct +got):\n%s", diff)
	}
	if got := (ace.RecordFields{}).SetFields(); got != nil {
		t.Errorf("SetFields(empty) = %v", got)
	}
	// Every field merges: a patch giving every field, applied to an empty
	// record, gives every field.
	if diff := cmp.Diff(tags, ace.MergeFields(ace.RecordFields{}, all).SetFields()); diff != "" {
		t.Errorf("MergeFields drops fields (-want +got):\n%s", diff)
	}
}

func TestRecordFieldsJSON(t *testing.T) {
	f := complete()
	f.NewAccountPlaceholder = new(false)
	f.LastRound = &ace.Round{Round: new("series_a"), AmountUSD: new(int64(8_000_000)), LeadInvestor: new("Accel"), ClosedOn: new("2025-11-20")}
	f.POCPlan = &ace.POCPlan{ModelChoice: new("Claude"), EvaluationMethod: new("golden set"), BudgetItems: []ace.BudgetItem{{Description: "inference", USD: 9_000}}}
	f.TargetCloseDate = new("2026-09-30")
	f.UseCase = new("u")
	got, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"company_name":"Ledgerly Ltd","website":"https://ledgerly.io","use_case":"u",` +
		`"projected_monthly_spend":[{"service":"EC2","usd":800},{"service":"RDS","usd":200}],` +
		`"engagement_type":"build","estimated_annual_spend_usd":60000,` +
		`"partner_role":"Architecture review and SOC 2 remediation","aws_account_id":"123456789012",` +
		`"new_account_placeholder":false,"funding_stage":"seed",` +
		`"engagement_start_date":"2026-03-01","go_live_date":"2026-06-01","vertical":"fintech",` +
		`"competing_cloud":"none","technical_contact":{"name":"Ada","email":"ada@ledgerly.io"},` +
		`"business_contact":{"name":"Bo","email":"bo@ledgerly.io"},` +
		`"last_round":{"round":"series_a","amount_usd":8000000,"lead_investor":"Accel","closed_on":"2025-11-20"},` +
		`"poc_plan":{"model_choice":"Claude","evaluation_method":"golden set","budget_items":[{"description":"inference","usd":9000}]},` +
		`"target_close_date":"2026-09-30"}`
	if string(got) != want {
		t.Errorf("JSON:\n got %s\nwant %s", got, want)
	}
	var back ace.RecordFields
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	// A partial draft reads back with only what was sent; null is "not given".
	var draft ace.RecordFields
	if err := json.Unmarshal([]byte(`{"company_name":"X","website":null,"technical_contact":{"email":"a@b.co"}}`), &draft); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"company_name", "technical_contact"}, draft.SetFields()); diff != "" {
		t.Errorf("partial draft (-want +got):\n%s", diff)
	}
	if out, _ := json.Marshal(ace.RecordFields{}); string(out) != `{}` {
		t.Errorf("empty record = %s", out)
	}
}

func TestEditableFields(t *testing.T) {
	review := []string{"partner_role", "technical_contact", "business_contact", "target_close_date"}
	for _, c := range []struct {
		state string
		want  []string
	}{
		{ace.StateIdentified, ace.FieldNames},
		{ace.StateSubmitted, review},
		{ace.StateValidated, review},
		{ace.StateApproved, []string{"target_close_date"}},
		{ace.StateLaunched, []string{"target_close_date"}},
		{ace.StateClosed, nil},
		{ace.StateRejected, nil},
		{ace.StateWithdrawn, nil},
		{"", nil},
	} {
		t.Run(c.state, func(t *testing.T) {
			if diff := cmp.Diff(c.want, ace.EditableFields(c.state)); diff != "" {
				t.Errorf("EditableFields (-want +got):\n%s", diff)
			}
		})
	}
	// The result is a copy: changing it changes nothing.
	ace.EditableFields(ace.StateApproved)[0] = "use_case"
	if got := ace.EditableFields(ace.StateApproved); got[0] != "target_close_date" {
		t.Errorf("EditableFields shares its slice: %v", got)
	}
}

func TestCheckEdit(t *testing.T) {
	reviewPatch := ace.RecordFields{
		TargetCloseDate:  new("2026-10-01"),
		TechnicalContact: &ace.Contact{Email: new("cto@ledgerly.io")},
		BusinessContact:  &ace.Contact{Name: new("Bo")},
		PartnerRole:      new("Managed services"),
	}
	locked := ace.RecordFields{
		Website:     new("ledgerly.com"),
		UseCase:     new("changed"),
		PartnerRole: new("changed"),
		POCPlan:     &ace.POCPlan{},
	}
	for _, c := range []struct {
		name       string
		state      string
		patch      ace.RecordFields
		wantCode   string
		wantFields []string
	}{
		{"draft edits anything", ace.StateIdentified, complete(), "", nil},
		{"draft edits locked fields", ace.StateIdentified, locked, "", nil},
		{"submitted: contacts, role, close date", ace.StateSubmitted, reviewPatch, "", nil},
		{"validated: contacts, role, close date", ace.StateValidated, reviewPatch, "", nil},
		{"submitted: empty patch", ace.StateSubmitted, ace.RecordFields{}, "", nil},
		{"submitted: reviewed fields locked", ace.StateSubmitted, locked, domain.ECodeValidation, []string{"website", "use_case", "poc_plan"}},
		{"validated: amount-bearing fields locked", ace.StateValidated, ace.RecordFields{
			ProjectedMonthlySpend: []ace.SpendLine{{Service: "EC2", USD: 1}},
			AWSAccountID:          new("123456789012"),
			TargetCloseDate:       new("2026-10-01"),
		}, domain.ECodeValidation, []string{"projected_monthly_spend", "aws_account_id"}},
		{"approved: close date only", ace.StateApproved, ace.RecordFields{TargetCloseDate: new("2026-10-01")}, "", nil},
		{"approved: role locked", ace.StateApproved, reviewPatch, domain.ECodeValidation, []string{"partner_role", "technical_contact", "business_contact"}},
		{"launched: close date only", ace.StateLaunched, ace.RecordFields{TargetCloseDate: new("2026-10-01")}, "", nil},
		{"launched: contact locked", ace.StateLaunched, ace.RecordFields{TechnicalContact: &ace.Contact{}}, domain.ECodeValidation, []string{"technical_contact"}},
		{"closed", ace.StateClosed, ace.RecordFields{TargetCloseDate: new("2026-10-01")}, domain.ECodeInvalidTransition, nil},
		{"closed, empty patch", ace.StateClosed, ace.RecordFields{}, domain.ECodeInvalidTransition, nil},
		{"rejected", ace.StateRejected, reviewPatch, domain.ECodeInvalidTransition, nil},
		{"withdrawn", ace.StateWithdrawn, reviewPatch, domain.ECodeInvalidTransition, nil},
		{"unknown state", "draft", reviewPatch, domain.ECodeInvalidTransition, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ace.CheckEdit(c.state, c.patch)
			if got := code(t, err); got != c.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, c.wantCode, err)
			}
			if diff := cmp.Diff(c.wantFields, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}
