package ace

// CreditsApproved is the credit AWS has awarded a customer across its
// records: approved_usd of every record in approved, launched or closed. An
// award stays counted once the engagement closes; rejected and withdrawn
// records count for nothing. It is the same sum the stacked ceiling checks
// (SumForCeiling), so the figure a founder is shown and the one the ceiling
// holds to never disagree.
func CreditsApproved(records []CeilingRecord) int64 {
	approved, _ := SumForCeiling(records)
	return approved
}
