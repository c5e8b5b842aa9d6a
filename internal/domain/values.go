package domain

// The fixed value sets of SPEC §2. They are the same strings in JSON, in the
// database (CHECK constraints in migrations) and in openapi.yaml.
var (
	Stages          = []string{"pre_seed", "seed", "series_a", "series_b", "series_c_plus"}
	Regions         = []string{"us_east", "us_west", "uk", "eu", "mena", "india", "apac", "brazil"}
	Verticals       = []string{"fintech", "healthtech", "b2b_saas", "ecommerce", "deep_tech", "gaming", "other"}
	ServiceProfiles = []string{"compute_heavy", "ai_heavy", "data_heavy", "edge_heavy"}
	EngagementTypes = []string{"build", "migrate"}
	Tiers           = []string{"registered", "select", "advanced", "premier"}
	FundingSources  = []string{"founders", "portfolio", "build_for_startups", "bedrock_poc", "map"}
	CompetingClouds = []string{"none", "gcp", "azure", "heroku", "digitalocean", "on_prem", "other"}
	PartnerStatuses = []string{"active", "paused"}
)

// Axes are the five routing axes, in a fixed order used everywhere.
var Axes = []string{"stage", "region", "vertical", "service_profile", "engagement_type"}

// AxisValues maps each routing axis to its value set.
var AxisValues = map[string][]string{
	"stage":           Stages,
	"region":          Regions,
	"vertical":        Verticals,
	"service_profile": ServiceProfiles,
	"engagement_type": EngagementTypes,
}

// OneOf reports whether v is one of set.
func OneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// IsRoutableTier reports whether partners of tier t may be routed to: the
// tier gate, the first cut of routing (seed 002 §IX).
func IsRoutableTier(t string) bool { return t == "advanced" || t == "premier" }
