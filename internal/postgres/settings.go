package postgres

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
)

// settingsCols lists the settings columns from domain.IntSettings, so a
// setting added there is read here without another edit. The threshold is
// numeric(5,4) in the table and read as a float.
var settingsCols = func() string {
	cols := []string{"routing_mode", "close_rate_threshold::float8 AS close_rate_threshold"}
	for _, is := range domain.IntSettings {
		cols = append(cols, is.Name)
	}
	return strings.Join(cols, ", ")
}()

// Settings returns the current business settings.
func (db *DB) Settings(ctx context.Context) (domain.Settings, error) {
	var s domain.Settings
	err := db.pool.GetContext(ctx, &s, `SELECT `+settingsCols+` FROM settings`)
	return s, translate(err)
}

// settingsTx reads the settings inside tx, so a change reads the values its
// own transaction sees.
func settingsTx(ctx context.Context, tx *Tx) (domain.Settings, error) {
	var s domain.Settings
	err := tx.GetContext(ctx, &s, `SELECT `+settingsCols+` FROM settings`)
	return s, translate(err)
}

// SettingsChange is one audited change of one setting.
type SettingsChange struct {
	ID         int64   `db:"id"`
	ActorKeyID *string `db:"actor_key_id"`
	Field      string  `db:"field"`
	OldValue   string  `db:"old_value"`
	NewValue   string  `db:"new_value"`
	ChangedAt  string  `db:"changed_at"`
}

// UpdateSettings applies a patch and audits each changed field with who
// (actor) changed it. The settings.changed event names the fields, from
// which the jobs decide whether the index is rebuilt and the unroutable
// queue drained. Returns validation_failed.
func (db *DB) UpdateSettings(ctx context.Context, actor domain.Principal, p domain.SettingsPatch) (domain.Settings, error) {
	if err := p.Validate(); err != nil {
		return domain.Settings{}, err
	}
	var out domain.Settings
	err := db.inTx(ctx, func(tx *Tx) error {
		var old domain.Settings
		// FOR UPDATE: two admins saving at once are audited one after the
		// other, each against the values the other left.
		if err := tx.GetContext(ctx, &old, `SELECT `+settingsCols+` FROM settings FOR UPDATE`); err != nil {
			return translate(err)
		}
		if p.CloseRateThreshold != nil {
			// The column keeps four decimals; compare and answer what is kept.
			t := math.Round(*p.CloseRateThreshold*1e4) / 1e4
			p.CloseRateThreshold = &t
		}
		nw := p.Apply(old)
		// Only real changes are audited and announced: saving the form as
		// it was writes nothing.
		changes := domain.Diff(old, nw)
		if len(changes) == 0 {
			out = old
			return nil
		}
		// The whole row is written from nw: the patch was applied in Go,
		// under the row lock, so nothing can slip in between.
		set := []string{"routing_mode = $1", "close_rate_threshold = $2", "updated_at = $3"}
		args := []any{nw.RoutingMode, nw.CloseRateThreshold, tx.now}
		for _, is := range domain.IntSettings {
			args = append(args, *is.Field(&nw))
			set = append(set, is.Name+" = $"+strconv.Itoa(len(args)))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE settings SET `+strings.Join(set, ", "), args...); err != nil {
			return translate(err)
		}
		changed := make([]string, len(changes))
		for i, c := range changes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings_audit (actor_key_id, actor_user_id, field, old_value, new_value, changed_at)
				VALUES (NULLIF($1, '')::uuid, NULLIF($6, '')::uuid, $2, $3, $4, $5)`, actor.KeyID, c.Field, c.Old, c.New, tx.now, actor.UserID); err != nil {
				return translate(err)
			}
			changed[i] = c.Field
		}
		if err := emit(ctx, tx, events.SettingsChanged{Fields: changed}); err != nil {
			return err
		}
		out = nw
		return nil
	})
	return out, err
}

// SettingsAudit lists the audited changes, newest first.
func (db *DB) SettingsAudit(ctx context.Context, limit int) ([]SettingsChange, error) {
	out := []SettingsChange{}
	err := db.pool.SelectContext(ctx, &out, `SELECT id, actor_key_id, field, old_value, new_value,
		to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS changed_at
		FROM settings_audit ORDER BY id DESC LIMIT $1`, limit)
	return out, translate(err)
}
