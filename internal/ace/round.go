package ace

import (
	"strings"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// RoundStage reads the founder's free-text last round ("Series A",
// "series-b", " Seed ") as a funding stage value (domain.Stages), which is
// what a record's last_round.round holds. Rounds past Series C count as
// series_c_plus, as the stage set does. It returns "" for text it cannot
// read as a stage ("Bridge", "Angel"), which the partner then fills in.
func RoundStage(round string) string {
	s := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(round)))
	switch s {
	case "series_c", "series_d", "series_e":
		s = "series_c_plus"
	}
	if !domain.OneOf(s, domain.Stages) {
		return ""
	}
	return s
}
