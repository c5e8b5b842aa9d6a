package routing

import "encoding/json"

// The stored explanation of a routing decision is JSON in the database.
// Its encoding, the json tags of Decision and of the types below, is a
// storage format: rows written years ago must still read. Adapters render
// a decision through views of their own, so that this format and the API's
// contract can change apart.

// AdminOverride is the explanation stored with an admin's assignment: which
// partner the admin assigned, and what the router would have decided.
type AdminOverride struct {
	Override string   `json:"override"`
	Router   Decision `json:"router"`
}

// Explanation is a stored explanation read back: the router's own
// decision, or an admin's override of it.
type Explanation struct {
	// Override is nil for the router's decision, and says which partner the
	// admin assigned otherwise.
	Override *string
	// Decision is the router's decision, or, under an override, what the
	// router would have decided.
	Decision Decision
}

// ParseExplanation reads a stored explanation, telling an AdminOverride
// from a Decision by its override key.
func ParseExplanation(b []byte) (Explanation, error) {
	var probe struct {
		Override *string         `json:"override"`
		Router   json.RawMessage `json:"router"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return Explanation{}, err
	}
	if probe.Override == nil {
		var e Explanation
		return e, json.Unmarshal(b, &e.Decision)
	}
	e := Explanation{Override: probe.Override}
	if len(probe.Router) == 0 {
		return e, nil
	}
	return e, json.Unmarshal(probe.Router, &e.Decision)
}
