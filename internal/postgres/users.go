package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/cloudroute/cloudroute/internal/account"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// User statuses (domain.UserStatuses).
const (
	UserInvited  = domain.UserInvited
	UserActive   = domain.UserActive
	UserDisabled = domain.UserDisabled
)

// User is a person with a console account: partner staff or an admin.
type User struct {
	ID                string     `db:"id"`
	Email             string     `db:"email"`
	Name              string     `db:"name"`
	Role              string     `db:"role"`
	PartnerID         *string    `db:"partner_id"`
	Status            string     `db:"status"`
	CreatedAt         time.Time  `db:"created_at"`
	UpdatedAt         time.Time  `db:"updated_at"`
	PasswordChangedAt *time.Time `db:"password_changed_at"`
}

// Principal is the user as the caller of a request.
func (u User) Principal() domain.Principal {
	p := domain.Principal{Role: u.Role, UserID: u.ID}
	if u.PartnerID != nil {
		p.PartnerID = *u.PartnerID
	}
	return p
}

const userCols = `id, email, name, role, partner_id, status, created_at, updated_at, password_changed_at`

// Invitation is a new invitation: its single-use token (shown once, to be
// sent or passed on as a link) and when it stops working.
type Invitation struct {
	Token     string
	ExpiresAt time.Time
}

// InviteUser creates a user in the invited state, or re-invites one who has
// not accepted yet, and returns a fresh invitation; earlier ones of that
// user stop working. role is admin or partner; a partner user names its
// partner. Returns validation_failed, or conflict when the email already
// belongs to an active or disabled user.
func (db *DB) InviteUser(ctx context.Context, actor domain.Principal, email, name, role, partnerID string) (User, Invitation, error) {
	email = account.NormalizeEmail(email)
	name = strings.TrimSpace(name)
	var p domain.FieldCheck
	if !domain.ValidEmail(email) {
		p.Add("email", "must be an email address")
	}
	domain.CheckText(&p, "name", name, 0, 200, false)
	switch role {
	case domain.RoleAdmin:
		if partnerID != "" {
			p.Add("partner_id", "is given only for partner users")
		}
	case domain.RolePartner:
		if !validUUID(partnerID) {
			p.Add("partner_id", "is required for a partner user")
		}
	default:
		p.Add("role", "must be admin or partner")
	}
	if err := p.Err(domain.ECodeValidation, "the user has invalid fields"); err != nil {
		return User{}, Invitation{}, err
	}
	var u User
	inv := Invitation{Token: account.NewToken()}
	err := db.inTx(ctx, func(tx *Tx) error {
		if role == domain.RolePartner {
			var ok bool
			if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM partners WHERE id = $1)`, partnerID); err != nil {
				return translate(err)
			}
			if !ok {
				return &domain.Error{Code: domain.ECodeValidation, Message: "the partner does not exist",
					Fields: []domain.FieldError{{Field: "partner_id", Message: "is not a known partner"}}}
			}
		}
		var pid *string
		if partnerID != "" {
			pid = &partnerID
		}
		// The email is unique: a second invitation of a user who has not
		// accepted updates the row; anyone else's email is a conflict.
		err := tx.GetContext(ctx, &u, `INSERT INTO users (email, name, role, partner_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5)
			ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, partner_id = EXCLUDED.partner_id,
				updated_at = EXCLUDED.updated_at WHERE users.status = 'invited'
			RETURNING `+userCols, email, name, role, pid, tx.now)
		if domain.ErrorCode(translate(err)) == domain.ECodeNotFound {
			return domain.Errorf(domain.ECodeConflict, "a user with this email already has an account")
		}
		if err != nil {
			return translate(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`, u.ID, tx.now); err != nil {
			return translate(err)
		}
		inv.ExpiresAt = tx.now.Add(account.InvitationTTL)
		_, err = tx.ExecContext(ctx, `INSERT INTO invitations (token_hash, user_id, created_by, created_by_key, created_at, expires_at)
			VALUES ($1, $2, NULLIF($3, '')::uuid, NULLIF($4, '')::uuid, $5, $6)`,
			account.HashToken(inv.Token), u.ID, actor.UserID, actor.KeyID, tx.now, inv.ExpiresAt)
		return translate(err)
	})
	if err != nil {
		return User{}, Invitation{}, err
	}
	return u, inv, nil
}

// InvitedUser returns the user an unused, unexpired invitation is for.
// Returns not_found for any other token.
func (db *DB) InvitedUser(ctx context.Context, token string) (User, error) {
	var u User
	err := db.pool.GetContext(ctx, &u, `SELECT `+prefixed("u.", userCols)+` FROM invitations i JOIN users u ON u.id = i.user_id
		WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2 AND u.status = 'invited'`,
		account.HashToken(token), db.Now())
	return u, translate(err)
}

// AcceptInvitation sets the invited user's password, makes the user active
// and uses up the invitation. Returns not_found for an unknown, used or
// expired invitation, validation_failed for a password the rules refuse.
func (db *DB) AcceptInvitation(ctx context.Context, token, password string) (User, error) {
	var u User
	err := db.inTx(ctx, func(tx *Tx) error {
		err := tx.GetContext(ctx, &u, `SELECT `+prefixed("u.", userCols)+` FROM invitations i JOIN users u ON u.id = i.user_id
			WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2 AND u.status = 'invited'
			FOR UPDATE OF i, u`, account.HashToken(token), tx.now)
		if err != nil {
			return translate(err)
		}
		var p domain.FieldCheck
		account.CheckPassword(&p, "password", password, u.Email, u.Name)
		if err := p.Err(domain.ECodeValidation, "the password is not acceptable"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = $2 WHERE token_hash = $1`, account.HashToken(token), tx.now); err != nil {
			return translate(err)
		}
		return translate(tx.GetContext(ctx, &u, `UPDATE users SET password_hash = $2, status = 'active', updated_at = $3,
			password_changed_at = $3 WHERE id = $1 RETURNING `+userCols, u.ID, account.HashPassword(password), tx.now))
	})
	return u, err
}

// errSignIn is the one answer to a failed sign-in, whatever failed: it
// never says whether the email has an account.
var errSignIn = domain.Errorf(domain.ECodeUnauthenticated, "the email or the password is wrong")

// SignIn checks an email and password and opens a session, returning its
// token (for the cookie, shown once). previous, the token of a session the
// browser already had, is ended: a sign-in always starts a new session id.
// Returns unauthenticated.
func (db *DB) SignIn(ctx context.Context, email, password, previous string) (User, string, error) {
	var row struct {
		User
		Hash *string `db:"password_hash"`
	}
	err := db.pool.GetContext(ctx, &row, `SELECT `+userCols+`, password_hash FROM users WHERE email = $1 AND status = 'active'`,
		account.NormalizeEmail(email))
	if err != nil {
		if domain.ErrorCode(translate(err)) == domain.ECodeNotFound {
			account.VerifyNobody(password)
			return User{}, "", errSignIn
		}
		return User{}, "", translate(err)
	}
	if row.Hash == nil {
		account.VerifyNobody(password)
		return User{}, "", errSignIn
	}
	ok, err := account.VerifyPassword(*row.Hash, password)
	if err != nil {
		return User{}, "", err
	}
	if !ok {
		return User{}, "", errSignIn
	}
	token := account.NewToken()
	err = db.inTx(ctx, func(tx *Tx) error {
		if previous != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, account.HashToken(previous)); err != nil {
				return translate(err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)`,
			account.HashToken(token), row.ID, tx.now)
		return translate(err)
	})
	if err != nil {
		return User{}, "", err
	}
	return row.User, token, nil
}

// sessionTouchEvery is how stale last_seen_at may get before a request
// writes it again: the idle expiry is hours, so a write per request would
// buy nothing.
const sessionTouchEvery = time.Minute

// Session returns the active user of a live session, and keeps it alive.
// Returns unauthenticated for an unknown, idle, expired or disabled one.
func (db *DB) Session(ctx context.Context, token string) (User, error) {
	var row struct {
		User
		Created  time.Time `db:"s_created_at"`
		LastSeen time.Time `db:"s_last_seen_at"`
	}
	h := account.HashToken(token)
	err := db.pool.GetContext(ctx, &row, `SELECT `+prefixed("u.", userCols)+`, s.created_at AS s_created_at,
		s.last_seen_at AS s_last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND u.status = 'active'`, h)
	if err != nil {
		if domain.ErrorCode(translate(err)) == domain.ECodeNotFound {
			return User{}, domain.Errorf(domain.ECodeUnauthenticated, "the session has ended; sign in again")
		}
		return User{}, translate(err)
	}
	now := db.Now()
	if !account.SessionLive(row.Created, row.LastSeen, now) {
		if _, err := db.pool.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, h); err != nil {
			return User{}, translate(err)
		}
		return User{}, domain.Errorf(domain.ECodeUnauthenticated, "the session has ended; sign in again")
	}
	if now.Sub(row.LastSeen) > sessionTouchEvery {
		if _, err := db.pool.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1`, h, now); err != nil {
			return User{}, translate(err)
		}
	}
	return row.User, nil
}

// SignOut ends a session; ending an unknown one is a no-op.
func (db *DB) SignOut(ctx context.Context, token string) error {
	_, err := db.pool.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, account.HashToken(token))
	return translate(err)
}

// ChangePassword checks the user's current password, sets the new one and
// ends every other session of the user (the one of keepToken stays).
// Returns validation_failed (a wrong current password is named on
// current_password) or not_found.
func (db *DB) ChangePassword(ctx context.Context, userID, current, next, keepToken string) error {
	if !validUUID(userID) {
		return domain.NotFound()
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var row struct {
			User
			Hash *string `db:"password_hash"`
		}
		if err := tx.GetContext(ctx, &row, `SELECT `+userCols+`, password_hash FROM users WHERE id = $1 AND status = 'active' FOR UPDATE`,
			userID); err != nil {
			return translate(err)
		}
		var p domain.FieldCheck
		if ok, err := account.VerifyPassword(derefString(row.Hash), current); err != nil || !ok {
			p.Add("current_password", "is not your current password")
		}
		if account.CheckPassword(&p, "new_password", next, row.Email, row.Name) && next == current {
			p.Add("new_password", "must differ from the current password")
		}
		if err := p.Err(domain.ECodeValidation, "the password was not changed"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3 WHERE id = $1`,
			userID, account.HashPassword(next), tx.now); err != nil {
			return translate(err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, userID, account.HashToken(keepToken))
		return translate(err)
	})
}

// DisableUser stops a user from signing in and ends their sessions. With a
// partnerID, only that partner's user (another partner's is not_found).
// Returns not_found.
func (db *DB) DisableUser(ctx context.Context, actor domain.Principal, userID, partnerID string) (User, error) {
	if !validUUID(userID) {
		return User{}, domain.NotFound()
	}
	var u User
	err := db.inTx(ctx, func(tx *Tx) error {
		err := tx.GetContext(ctx, &u, `UPDATE users SET status = 'disabled', updated_at = $3
			WHERE id = $1 AND ($2 = '' OR partner_id::text = $2) RETURNING `+userCols, userID, partnerID, tx.now)
		if err != nil {
			return translate(err)
		}
		if actor.UserID == u.ID {
			return domain.Errorf(domain.ECodeConflict, "you cannot disable your own account")
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		return translate(err)
	})
	return u, err
}

// Users lists users, newest first; with a partnerID, that partner's only.
func (db *DB) Users(ctx context.Context, partnerID string) ([]User, error) {
	out := []User{}
	if partnerID != "" && !validUUID(partnerID) {
		return out, nil
	}
	err := db.pool.SelectContext(ctx, &out, `SELECT `+userCols+` FROM users WHERE ($1 = '' OR partner_id::text = $1)
		ORDER BY created_at DESC, id LIMIT 500`, partnerID)
	return out, translate(err)
}

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
