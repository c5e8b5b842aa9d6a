package postgres_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// storedInClear counts the api_keys rows that hold secret as text.
func (e *env) storedInClear(secret string) int {
	e.t.Helper()
	return e.count(`SELECT count(*) FROM api_keys k WHERE k::text LIKE '%' || $1 || '%'
		OR position(convert_to($1, 'UTF8') IN k.key_hash) > 0`, secret)
}

func TestPartnerKeys(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	a, b := e.partner("Alpha"), e.partner("Beta")
	k1, secret, err := e.db.CreatePartnerKey(e.ctx, a.ID, "ci")
	must(t, "create key", err)
	k2, _, err := e.db.CreatePartnerKey(e.ctx, a.ID, "ops")
	must(t, "create key", err)

	t.Run("issued", func(t *testing.T) {
		e := e.in(t)
		if !strings.HasPrefix(secret, "cr_live_") || len(secret) < 40 {
			t.Errorf("secret %q: want cr_live_ and at least 32 random bytes", secret)
		}
		want := postgres.APIKey{ID: k1.ID, Role: "partner", PartnerID: &a.ID, Prefix: secret[:len("cr_live_")+6], Label: "ci", CreatedAt: t0}
		got := k1
		got.CreatedAt = got.CreatedAt.UTC()
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("key (-want +got):\n%s", d)
		}
		if n := e.storedInClear(secret); n != 0 {
			t.Errorf("the secret is stored in the clear in %d rows", n)
		}
	})
	t.Run("authenticates as its partner", func(t *testing.T) {
		e := e.in(t)
		p, err := e.db.Authenticate(e.ctx, secret)
		must(t, "authenticate", err)
		if d := cmp.Diff(domain.Principal{Role: domain.RolePartner, KeyID: k1.ID, PartnerID: a.ID}, p); d != "" {
			t.Errorf("principal (-want +got):\n%s", d)
		}
	})
	t.Run("listed", func(t *testing.T) {
		e := e.in(t)
		keys, err := e.db.PartnerKeys(e.ctx, a.ID)
		must(t, "list", err)
		var ids []string
		for _, k := range keys {
			ids = append(ids, k.ID)
		}
		if d := cmp.Diff([]string{k1.ID, k2.ID}, ids, sortStrings); d != "" {
			t.Errorf("keys (-want +got):\n%s", d)
		}
		keys, err = e.db.PartnerKeys(e.ctx, b.ID)
		must(t, "list", err)
		if len(keys) != 0 {
			t.Errorf("Beta lists %d keys, want 0", len(keys))
		}
	})
	t.Run("revoked", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.RevokePartnerKey(e.ctx, b.ID, k1.ID)
		wantCode(t, "revoke through another partner", err, domain.ECodeNotFound)
		e.setClock(t0.Add(1000))
		r, err := e.db.RevokePartnerKey(e.ctx, a.ID, k1.ID)
		must(t, "revoke", err)
		if r.RevokedAt == nil || !r.RevokedAt.Equal(t0.Add(1000)) {
			t.Errorf("revoked at %v, want %s", r.RevokedAt, t0.Add(1000))
		}
		_, err = e.db.Authenticate(e.ctx, secret)
		wantCode(t, "authenticate with a revoked key", err, domain.ECodeUnauthenticated)
		e.setClock(t0.Add(2000))
		again, err := e.db.RevokePartnerKey(e.ctx, a.ID, k1.ID)
		must(t, "revoke again", err)
		if again.RevokedAt == nil || !again.RevokedAt.Equal(*r.RevokedAt) {
			t.Errorf("revoking twice moved the time to %v", again.RevokedAt)
		}
	})
	t.Run("not found", func(t *testing.T) {
		e := e.in(t)
		_, _, err := e.db.CreatePartnerKey(e.ctx, "00000000-0000-4000-8000-000000000000", "x")
		wantCode(t, "key for an unknown partner", err, domain.ECodeNotFound)
		_, _, err = e.db.CreatePartnerKey(e.ctx, "x", "x")
		wantCode(t, "key for a malformed partner id", err, domain.ECodeNotFound)
		_, err = e.db.PartnerKeys(e.ctx, "00000000-0000-4000-8000-000000000000")
		wantCode(t, "keys of an unknown partner", err, domain.ECodeNotFound)
		_, err = e.db.RevokePartnerKey(e.ctx, a.ID, "x")
		wantCode(t, "revoke a malformed key id", err, domain.ECodeNotFound)
		_, err = e.db.RevokePartnerKey(e.ctx, a.ID, "00000000-0000-4000-8000-000000000000")
		wantCode(t, "revoke an unknown key", err, domain.ECodeNotFound)
	})
}

func TestAdminKeys(t *testing.T) {
	e := newEnv(t)
	t.Run("issued and authenticated", func(t *testing.T) {
		e := e.in(t)
		k, secret, err := e.db.CreateAdminKey(e.ctx, "ops")
		must(t, "create", err)
		if !strings.HasPrefix(secret, "cr_admin_") || k.Role != "admin" || k.PartnerID != nil {
			t.Errorf("key %+v with secret %q", k, secret)
		}
		p, err := e.db.Authenticate(e.ctx, secret)
		must(t, "authenticate", err)
		if d := cmp.Diff(domain.Principal{Role: domain.RoleAdmin, KeyID: k.ID}, p); d != "" {
			t.Errorf("principal (-want +got):\n%s", d)
		}
		if n := e.storedInClear(secret); n != 0 {
			t.Errorf("the secret is stored in the clear in %d rows", n)
		}
	})
	t.Run("the bootstrap key", func(t *testing.T) {
		e := e.in(t)
		const boot = "bootstrap-admin-secret-0123456789"
		for range 2 {
			must(t, "ensure", e.db.EnsureAdminKey(e.ctx, boot))
		}
		if n := e.count(`SELECT count(*) FROM api_keys WHERE label = 'bootstrap'`); n != 1 {
			t.Errorf("%d bootstrap keys after two runs, want 1", n)
		}
		e.exec(`UPDATE api_keys SET revoked_at = now() WHERE label = 'bootstrap'`)
		_, err := e.db.Authenticate(e.ctx, boot)
		wantCode(t, "revoked bootstrap key", err, domain.ECodeUnauthenticated)
		must(t, "ensure", e.db.EnsureAdminKey(e.ctx, boot))
		p, err := e.db.Authenticate(e.ctx, boot)
		must(t, "authenticate", err)
		if p.Role != domain.RoleAdmin {
			t.Errorf("bootstrap key authenticates as %q", p.Role)
		}
	})
	t.Run("a partner's key never becomes an admin's", func(t *testing.T) {
		e := e.in(t)
		a := e.partner("Alpha")
		_, secret, err := e.db.CreatePartnerKey(e.ctx, a.ID, "ci")
		must(t, "create", err)
		must(t, "ensure", e.db.EnsureAdminKey(e.ctx, secret))
		p, err := e.db.Authenticate(e.ctx, secret)
		must(t, "authenticate", err)
		if p.Role != domain.RolePartner || p.PartnerID != a.ID {
			t.Errorf("principal %+v, want still Alpha's partner key", p)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.Authenticate(e.ctx, "cr_live_nothing")
		wantCode(t, "unknown key", err, domain.ECodeUnauthenticated)
	})
}
