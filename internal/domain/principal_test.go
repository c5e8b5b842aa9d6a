package domain_test

import (
	"slices"
	"testing"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// TestRolesAreTheStoredOnes: an API key's role, and the actor of a
// record's move, are stored; the roles must be strings the database
// accepts.
func TestRolesAreTheStoredOnes(t *testing.T) {
	sets := storedSets(t)
	// API keys and people's accounts both hold a role.
	keyRoles := sets["role"]
	if len(keyRoles) == 0 {
		t.Fatal("no role constraint in the migrations")
	}
	for _, got := range keyRoles {
		if !slices.Equal(got, []string{domain.RoleAdmin, domain.RolePartner}) {
			t.Errorf("a role constraint allows %v, want [%s %s]: the roles that hold keys and accounts", got, domain.RoleAdmin, domain.RolePartner)
		}
	}
	// A later migration may widen the constraint; the last one is in force.
	actors := sets["actor_role"]
	if len(actors) == 0 {
		t.Fatal("no actor_role constraint in the migrations")
	}
	last := actors[len(actors)-1]
	for _, r := range []string{domain.RoleAdmin, domain.RolePartner, domain.RoleFounder, domain.RoleAWS} {
		if !slices.Contains(last, r) {
			t.Errorf("a move by a %s cannot be recorded: actor_role allows %v", r, last)
		}
	}
}
