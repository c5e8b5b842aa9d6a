package routing

import "testing"

// BenchmarkDecide routes one intake over 2,000 synthetic partners, the
// SPEC §6 pool, of which about a tenth pass the filter.
func BenchmarkDecide(b *testing.B) {
	ps := syntheticPartners(benchIntake, 2000, 1)
	params := DefaultParams()
	d := Decide(benchIntake, ps, params)
	b.ReportAllocs()
	for b.Loop() {
		Decide(benchIntake, ps, params)
	}
	b.ReportMetric(float64(len(d.Candidates)), "candidates")
}

// BenchmarkDecideAllCandidates is the worst case: all 2,000 partners pass
// the filter and are scored and sorted.
func BenchmarkDecideAllCandidates(b *testing.B) {
	ps := allCandidates(syntheticPartners(benchIntake, 2000, 1))
	params := DefaultParams()
	d := Decide(benchIntake, ps, params)
	b.ReportAllocs()
	for b.Loop() {
		Decide(benchIntake, ps, params)
	}
	b.ReportMetric(float64(len(d.Candidates)), "candidates")
}

// BenchmarkDecideTrimmed is what a stored decision costs: the decision of
// BenchmarkDecide cut to the StoredCandidates an explanation keeps.
func BenchmarkDecideTrimmed(b *testing.B) {
	ps := syntheticPartners(benchIntake, 2000, 1)
	params := DefaultParams()
	d := Decide(benchIntake, ps, params).Trimmed(StoredCandidates)
	b.ReportAllocs()
	for b.Loop() {
		Decide(benchIntake, ps, params).Trimmed(StoredCandidates)
	}
	b.ReportMetric(float64(d.CandidatesTotal), "candidates")
}

// BenchmarkDecideTop is the same stored decision as BenchmarkDecideTrimmed,
// made by DecideTop: only the StoredCandidates best are scored in full.
func BenchmarkDecideTop(b *testing.B) {
	ps := syntheticPartners(benchIntake, 2000, 1)
	params := DefaultParams()
	d := DecideTop(benchIntake, ps, params, StoredCandidates)
	b.ReportAllocs()
	for b.Loop() {
		DecideTop(benchIntake, ps, params, StoredCandidates)
	}
	b.ReportMetric(float64(d.CandidatesTotal), "candidates")
}

// BenchmarkDecideTopAllCandidates is DecideTop in the worst case of
// BenchmarkDecideAllCandidates: 2,000 candidates, of which 25 are kept.
func BenchmarkDecideTopAllCandidates(b *testing.B) {
	ps := allCandidates(syntheticPartners(benchIntake, 2000, 1))
	params := DefaultParams()
	d := DecideTop(benchIntake, ps, params, StoredCandidates)
	b.ReportAllocs()
	for b.Loop() {
		DecideTop(benchIntake, ps, params, StoredCandidates)
	}
	b.ReportMetric(float64(d.CandidatesTotal), "candidates")
}

// allCandidates makes every partner of ps a candidate for benchIntake.
func allCandidates(ps []Partner) []Partner {
	for i := range ps {
		ps[i].Status, ps[i].Tier, ps[i].Regions = "active", "advanced", []string{benchIntake.Region}
		ps[i].OpenAssignments, ps[i].ExcludedAxisValues, ps[i].PreviouslyAssigned = 0, nil, false
	}
	return ps
}
