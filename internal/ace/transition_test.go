package ace_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// held is a founders record of an advanced partner that holds its
// engagement, ready to submit.
func held(state string) ace.TransitionRecord {
	return ace.TransitionRecord{State: state, FundingSource: "founders", RequestedUSD: 20_000, Fields: complete(),
		Tier: "advanced", AssignmentStatus: domain.AssignmentAccepted}
}

func TestCheckTransitionRequest(t *testing.T) {
	released := func(state string) ace.TransitionRecord {
		r := held(state)
		r.AssignmentStatus = domain.AssignmentReleased
		return r
	}
	for _, c := range []struct {
		name   string
		rec    ace.TransitionRecord
		req    ace.TransitionRequest
		code   string
		fields []string
	}{
		{"submit a complete record", held("identified"), ace.TransitionRequest{To: "submitted"}, "", nil},
		{"submit an incomplete record", func() ace.TransitionRecord { r := held("identified"); r.Fields.PartnerRole = nil; return r }(),
			ace.TransitionRequest{To: "submitted"}, domain.ECodeIncompleteRecord, []string{"partner_role"}},
		{"validate", held("submitted"), ace.TransitionRequest{To: "validated"}, "", nil},
		{"approve with an award", held("validated"), ace.TransitionRequest{To: "approved", ApprovedUSD: new(int64(20_000))}, "", nil},
		{"approve below the request", held("validated"), ace.TransitionRequest{To: "approved", ApprovedUSD: new(int64(5_000))}, "", nil},
		{"approve without an award", held("validated"), ace.TransitionRequest{To: "approved"}, domain.ECodeValidation, []string{"approved_usd"}},
		{"approve above the request", held("validated"), ace.TransitionRequest{To: "approved", ApprovedUSD: new(int64(25_000))},
			domain.ECodeAmountOutOfRange, []string{"approved_usd"}},
		{"approve downgraded to founders", func() ace.TransitionRecord {
			r := held("validated")
			r.FundingSource, r.RequestedUSD = "portfolio", 80_000
			return r
		}(), ace.TransitionRequest{To: "approved", ApprovedUSD: new(int64(25_000)), ApprovedFundingSource: new("founders")}, "", nil},
		{"approve into an unknown pool", held("validated"), ace.TransitionRequest{To: "approved", ApprovedUSD: new(int64(20_000)),
			ApprovedFundingSource: new("grants")}, domain.ECodeValidation, []string{"approved_funding_source"}},
		{"approve over the stacked ceiling", func() ace.TransitionRecord { r := held("validated"); r.OtherApprovedUSD = 140_000; return r }(),
			ace.TransitionRequest{To: "approved", ApprovedUSD: new(int64(20_000))}, domain.ECodeStackCeiling, []string{"approved_usd"}},
		{"an award on another move", held("submitted"), ace.TransitionRequest{To: "validated", ApprovedUSD: new(int64(1))},
			domain.ECodeValidation, []string{"approved_usd"}},
		{"reject with a reason", held("submitted"), ace.TransitionRequest{To: "rejected", Reason: "weak vouch"}, "", nil},
		{"reject without a reason", held("submitted"), ace.TransitionRequest{To: "rejected"}, domain.ECodeValidation, []string{"reason"}},
		{"reject with a blank reason", held("validated"), ace.TransitionRequest{To: "rejected", Reason: " \n "}, domain.ECodeValidation, []string{"reason"}},
		{"withdraw with a reason", held("identified"), ace.TransitionRequest{To: "withdrawn", Reason: "customer went quiet"}, "", nil},
		{"withdraw without a reason", held("identified"), ace.TransitionRequest{To: "withdrawn"}, domain.ECodeValidation, []string{"reason"}},
		{"a reason over the limit", held("submitted"), ace.TransitionRequest{To: "rejected", Reason: strings.Repeat("é", domain.MaxReasonChars+1)},
			domain.ECodeValidation, []string{"reason"}},
		{"an optional reason with a control character", held("submitted"), ace.TransitionRequest{To: "validated", Reason: "a\x00b"},
			domain.ECodeValidation, []string{"reason"}},
		{"a target close date", held("submitted"), ace.TransitionRequest{To: "validated", TargetCloseDate: new("2026-09-30")}, "", nil},
		{"a target close date not a date", held("submitted"), ace.TransitionRequest{To: "validated", TargetCloseDate: new("30/09/2026")},
			domain.ECodeValidation, []string{"target_close_date"}},
		{"every bad field at once", held("submitted"), ace.TransitionRequest{To: "rejected", ApprovedFundingSource: new("grants"),
			TargetCloseDate: new("soon")}, domain.ECodeValidation, []string{"reason", "approved_usd", "approved_funding_source", "target_close_date"}},
		{"the state machine first", held("closed"), ace.TransitionRequest{To: "rejected"}, domain.ECodeInvalidTransition, nil},
		{"skipping a state", held("identified"), ace.TransitionRequest{To: "approved", ApprovedUSD: new(int64(20_000))},
			domain.ECodeInvalidTransition, nil},
		{"forward without the engagement", released("identified"), ace.TransitionRequest{To: "submitted"}, domain.ECodeDuplicateFiling, nil},
		{"forward on an offer only", func() ace.TransitionRecord { r := held("identified"); r.AssignmentStatus = "offered"; return r }(),
			ace.TransitionRequest{To: "submitted"}, domain.ECodeDuplicateFiling, nil},
		{"a completed engagement still closes", func() ace.TransitionRecord { r := held("launched"); r.AssignmentStatus = "completed"; return r }(),
			ace.TransitionRequest{To: "closed"}, "", nil},
		{"a released partner launches its award", released("approved"), ace.TransitionRequest{To: "launched"}, "", nil},
		{"a released partner closes its award", released("launched"), ace.TransitionRequest{To: "closed"}, "", nil},
		{"a released partner may not move its date", released("launched"), ace.TransitionRequest{To: "closed", TargetCloseDate: new("2026-09-30")},
			domain.ECodeDuplicateFiling, nil},
		{"a released partner may withdraw", released("submitted"), ace.TransitionRequest{To: "withdrawn", Reason: "released"}, "", nil},
		{"the tier after the engagement", func() ace.TransitionRecord { r := held("identified"); r.Tier = "registered"; return r }(),
			ace.TransitionRequest{To: "submitted"}, domain.ECodeTierNotPermitted, nil},
		{"the engagement before the tier", func() ace.TransitionRecord {
			r := released("identified")
			r.Tier = "registered"
			return r
		}(), ace.TransitionRequest{To: "submitted"}, domain.ECodeDuplicateFiling, nil},
		{"the tier before the fields", func() ace.TransitionRecord { r := held("submitted"); r.Tier = "registered"; return r }(),
			ace.TransitionRequest{To: "validated", TargetCloseDate: new("soon")}, domain.ECodeTierNotPermitted, nil},
		{"a dropped tier may still withdraw", func() ace.TransitionRecord { r := held("validated"); r.Tier = "registered"; return r }(),
			ace.TransitionRequest{To: "withdrawn", Reason: "tier dropped"}, "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ace.CheckTransitionRequest(c.rec, c.req)
			if got := code(t, err); got != c.code {
				t.Fatalf("code %q (%v), want %q", got, err, c.code)
			}
			if d := cmp.Diff(c.fields, fieldsOf(t, err)); c.fields != nil && d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
		})
	}
}

func TestTransitionWarnings(t *testing.T) {
	small := held("identified")
	small.Fields.ProjectedMonthlySpend = []ace.SpendLine{{Service: "EC2", USD: 100}}
	for _, c := range []struct {
		name string
		rec  ace.TransitionRecord
		to   string
		want int
	}{
		{"a plausible submission", held("identified"), "submitted", 0},
		{"a large request on little spend", small, "submitted", 1},
		{"no warning on other moves", func() ace.TransitionRecord { r := small; r.State = "submitted"; return r }(), "validated", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ace.TransitionWarnings(c.rec, ace.TransitionRequest{To: c.to}); len(got) != c.want {
				t.Errorf("warnings %q, want %d", got, c.want)
			}
		})
	}
}

func TestOutcomeOf(t *testing.T) {
	for _, c := range []struct {
		name      string
		from, to  string
		submitted bool
		want      string
	}{
		{"approval is a win", "validated", "approved", true, "approved"},
		{"rejection after submission", "submitted", "rejected", true, "rejected"},
		{"rejection after validation", "validated", "rejected", true, "rejected"},
		{"withdrawal after submission", "submitted", "withdrawn", true, "withdrawn"},
		{"withdrawal after validation", "validated", "withdrawn", true, "withdrawn"},
		{"a draft withdrawn decides nothing", "identified", "withdrawn", false, ""},
		{"submission decides nothing", "identified", "submitted", false, ""},
		{"validation decides nothing", "submitted", "validated", true, ""},
		{"launch decides nothing", "approved", "launched", true, ""},
		{"closing decides nothing more", "launched", "closed", true, ""},
		{"an illegal move records nothing", "identified", "approved", false, ""},
		{"an illegal rejection records nothing", "closed", "rejected", true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ace.OutcomeOf(c.from, c.to, c.submitted); got != c.want {
				t.Errorf("OutcomeOf(%s, %s, %v) = %q, want %q", c.from, c.to, c.submitted, got, c.want)
			}
		})
	}
}

func TestRoundStage(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"title case", "Series A", "series_a"},
		{"hyphenated", "series-b", "series_b"},
		{"padded seed", "  Seed ", "seed"},
		{"pre-seed", "Pre-Seed", "pre_seed"},
		{"already a value", "series_c_plus", "series_c_plus"},
		{"series C", "Series C", "series_c_plus"},
		{"series D", "SERIES D", "series_c_plus"},
		{"series E", "series e", "series_c_plus"},
		{"series F is not read", "Series F", ""},
		{"a bridge", "Bridge", ""},
		{"empty", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ace.RoundStage(c.in); got != c.want {
				t.Errorf("RoundStage(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestTerminalStatesMatchIsTerminal(t *testing.T) {
	var got []string
	for _, s := range ace.States {
		if ace.IsTerminal(s) {
			got = append(got, s)
		}
	}
	if d := cmp.Diff(ace.TerminalStates, got); d != "" {
		t.Errorf("terminal states (-list +IsTerminal):\n%s", d)
	}
}
