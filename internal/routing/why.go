package routing

// Why is what a founder may be shown of why their intake went to its
// partner (SPEC §7 "why this partner"): the partner's own record on the
// founder's profile, as the decision that offered it the intake scored it.
// It holds one candidate's numbers and nothing of any other candidate, not
// even how many there were.
type Why struct {
	PartnerID string
	// Name is the partner's name as the decision recorded it.
	Name string
	// Axes are the partner's evidence on the founder's value of each
	// routing axis, in domain.Axes order.
	Axes []WhyAxis
	// CloseRate is the partner's close rate on submissions like the
	// founder's: the mean of the axes' confidence-adjusted rates
	// (Candidate.Score), the figure the 0.70 band is read from.
	CloseRate float64
	// Threshold is the band edge the decision used; AboveThreshold reports
	// whether CloseRate reached it.
	Threshold      float64
	AboveThreshold bool
	// Wins and Decided are the partner's whole record in the trailing
	// window, on every profile.
	Wins, Decided int
	// MedianDaysToApproval is the partner's median days from submission to
	// approval; nil when unknown.
	MedianDaysToApproval *float64
}

// WhyAxis is the partner's record on the founder's value of one axis.
type WhyAxis struct {
	Axis  string // one of domain.Axes
	Value string // the founder's value on it, e.g. "series_a"
	// Rate is the confidence-adjusted close rate (AxisCell.ShrunkRate): the
	// partner's wins over its decided outcomes on this value, backed off
	// toward its whole record and the pool in proportion to how few
	// outcomes are decided, so that one lucky approval never reads as
	// 100% (docs/routing.md §3).
	Rate float64
	// Wins and Decided are the outcomes behind Rate, on this value alone.
	Wins, Decided int
}

// WhyChosen returns the record of partner partnerID as decision d scored
// it, or false when d did not score that partner: it is not among the
// candidates the decision kept. That happens when an admin assigned a
// partner the router had filtered out (another region, full, excluded), or
// one ranked below the candidates a stored explanation keeps
// (StoredCandidates); a caller then has no figures to show.
//
// It works on any candidate, not only the first: an admin may assign the
// second-ranked partner, and the founder is then shown that partner's own
// figures. Nothing of the other candidates is copied.
func WhyChosen(d Decision, partnerID string) (Why, bool) {
	if partnerID == "" {
		return Why{}, false
	}
	for i := range d.Candidates {
		c := &d.Candidates[i]
		if c.PartnerID != partnerID {
			continue
		}
		w := Why{
			PartnerID:      c.PartnerID,
			Name:           c.Name,
			Axes:           make([]WhyAxis, len(c.Cells)),
			CloseRate:      c.Score,
			Threshold:      d.Params.Threshold,
			AboveThreshold: c.Band == BandAbove,
			Wins:           c.Overall.Wins,
			Decided:        c.Overall.Decided,
		}
		for a, cell := range c.Cells {
			w.Axes[a] = WhyAxis{Axis: cell.Axis, Value: cell.Value, Rate: cell.ShrunkRate, Wins: cell.Wins, Decided: cell.Decided}
		}
		if c.MedianDaysToApproval != nil {
			days := *c.MedianDaysToApproval
			w.MedianDaysToApproval = &days
		}
		return w, true
	}
	return Why{}, false
}
