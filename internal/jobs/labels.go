package jobs

// labels are the words the mails use for the value sets (SPEC §2); a code
// without a label is shown as it is.
var labels = map[string]string{
	"pre_seed": "Pre-seed", "seed": "Seed", "series_a": "Series A", "series_b": "Series B", "series_c_plus": "Series C or later",

	"us_east": "US East", "us_west": "US West", "uk": "UK", "eu": "EU", "mena": "MENA", "india": "India", "apac": "APAC",
	"brazil": "Brazil",

	"fintech": "Fintech", "healthtech": "Healthtech", "b2b_saas": "B2B SaaS", "ecommerce": "E-commerce",
	"deep_tech": "Deep tech", "gaming": "Gaming", "other": "Other",

	"compute_heavy": "Compute-heavy", "ai_heavy": "AI-heavy", "data_heavy": "Data-heavy", "edge_heavy": "Edge-heavy",

	"build": "Build", "migrate": "Migrate",

	"founders": "Activate Founders", "portfolio": "Activate Portfolio", "build_for_startups": "Build for Startups",
	"bedrock_poc": "Bedrock POC", "map": "Migration Acceleration Program",
}

func label(code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return code
}

func labelAll(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = label(c)
	}
	return out
}
