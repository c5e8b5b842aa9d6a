package intake_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
)

func TestCheckAxis(t *testing.T) {
	for _, axis := range domain.Axes {
		set := domain.AxisValues[axis]
		for _, c := range []struct {
			name, v string
			want    []domain.FieldError
		}{
			{"first value", set[0], nil},
			{"last value", set[len(set)-1], nil},
			{"blank", "", []domain.FieldError{{Field: axis, Message: "is required"}}},
			{"unknown", "mars", []domain.FieldError{{Field: axis, Message: "must be one of " + strings.Join(set, ", ")}}},
			{"wrong case", strings.ToUpper(set[0]), []domain.FieldError{{Field: axis, Message: "must be one of " + strings.Join(set, ", ")}}},
		} {
			t.Run(axis+"/"+c.name, func(t *testing.T) {
				var p domain.FieldCheck
				intake.CheckAxis(&p, axis, c.v)
				if diff := cmp.Diff(c.want, p.Fields); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestCheckFundingSource(t *testing.T) {
	for _, fs := range domain.FundingSources {
		var p domain.FieldCheck
		if !intake.CheckFundingSource(&p, "pools[0]", fs) || !p.Empty() {
			t.Errorf("%s refused: %v", fs, p.Fields)
		}
	}
	for _, bad := range []string{"", "activate", "Founders"} {
		var p domain.FieldCheck
		want := []domain.FieldError{{Field: "pools[1]", Message: "must be one of " + strings.Join(domain.FundingSources, ", ")}}
		if intake.CheckFundingSource(&p, "pools[1]", bad) {
			t.Errorf("%q passed", bad)
		}
		if diff := cmp.Diff(want, p.Fields); diff != "" {
			t.Errorf("%q (-want +got):\n%s", bad, diff)
		}
	}
}
