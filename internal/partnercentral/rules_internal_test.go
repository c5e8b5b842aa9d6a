package partnercentral

import (
	"sort"
	"testing"
	"time"
)

// Every row of the rules table is looked up by the walker, and every
// looked-up row exists (the walker panics otherwise): the table and the
// code cannot drift apart.
func TestEveryRuleIsChecked(t *testing.T) {
	full := Opportunity{
		Customer: &Customer{
			Account:  &Account{Address: &Address{}},
			Contacts: []Contact{{}},
		},
		Project: &Project{
			ExpectedCustomerSpend:    []ExpectedCustomerSpend{{}},
			ExpectedContractDuration: &ExpectedContractDuration{},
		},
		Marketing:       &Marketing{},
		SoftwareRevenue: &SoftwareRevenue{Value: &MonetaryValue{}},
		LifeCycle:       &LifeCycle{},
	}
	seen := map[string]bool{}
	c := &checker{now: time.Now(), seen: seen}
	c.str("Catalog", "Catalog", "", true)
	c.str("ClientToken", "ClientToken", "", true)
	c.str("Origin", "Origin", "", true)
	c.count("OpportunityTeam", "OpportunityTeam", 1, true)
	c.contact("OpportunityTeam[0]", "OpportunityTeam[]", Contact{})
	c.str("Identifier", "Identifier", "", true)
	c.missing("LastModifiedDate", "LastModifiedDate")
	c.opportunity(full)

	var unchecked []string
	for path, r := range rules {
		if !seen[path] {
			unchecked = append(unchecked, path)
		}
		if r.cite == "" {
			t.Errorf("rule %s cites nothing", path)
		}
		if r.pattern != nil && r.format == "" {
			t.Errorf("rule %s has a pattern but no words for it", path)
		}
	}
	sort.Strings(unchecked)
	if len(unchecked) > 0 {
		t.Errorf("rules no walker checks: %v", unchecked)
	}
	for _, r := range crossRules {
		if r.name == "" || r.cite == "" {
			t.Errorf("cross-field rule %+v lacks a name or a citation", r)
		}
	}
}

func TestErrorTypeIsReadAsTheSDKsReadIt(t *testing.T) {
	cases := map[string]string{
		"ValidationException": "ValidationException",
		"com.amazonaws.partnercentralselling#ConflictException":                               "ConflictException",
		"ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/": "ThrottlingException",
		"aws.protocoltests#InternalServerException:http://x":                                  "InternalServerException",
		"": "",
	}
	for in, want := range cases {
		if got := sanitizeErrorType(in); got != want {
			t.Errorf("sanitizeErrorType(%q) = %q, want %q", in, got, want)
		}
	}
}
