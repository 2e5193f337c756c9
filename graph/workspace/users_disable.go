package workspace

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ringlens/ringlens/graph/vocab"
)

// migrationUserDisabled is schema step 5: when a user was disabled ("" for
// a user who may log in).
const migrationUserDisabled = `ALTER TABLE users ADD COLUMN disabled_at TEXT NOT NULL DEFAULT '';`

// SetDisabled disables the user name (disabled true: its logins are
// refused with ErrDisabled and its sessions end at once) or enables it
// again, in one transaction with its audit entry (vocab.AuditUserDisable,
// AuditUserEnable, by who did it, why the reason given). It returns the
// number of sessions ended and whether anything changed: disabling a
// disabled user, or enabling an enabled one, changes nothing and writes no
// entry. An unknown user is ErrUnknownUser.
func (w *Workspace) SetDisabled(ctx context.Context, name string, disabled bool, by, why string) (sessions int64, changed bool, err error) {
	if strings.TrimSpace(by) == "" {
		return 0, false, invalid("who disables or enables the user (by) is required")
	}
	if len([]rune(why)) > MaxReasonLen {
		return 0, false, invalid("reason longer than %d characters", MaxReasonLen)
	}
	at := w.now()
	err = inTx(ctx, w.db, func(tx *sql.Tx) error {
		sessions, changed = 0, false
		u, err := getUser(ctx, tx, name)
		if err != nil {
			return err
		}
		if u.Disabled() == disabled {
			return nil
		}
		changed = true
		action, stamp := vocab.AuditUserEnable, ""
		if disabled {
			action, stamp = vocab.AuditUserDisable, at
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at=?, updated_at=? WHERE name=?`, stamp, at, name); err != nil {
			return err
		}
		if disabled {
			r, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user=?`, name)
			if err != nil {
				return err
			}
			if sessions, err = r.RowsAffected(); err != nil {
				return err
			}
		}
		detail := map[string]any{"role": u.Role}
		if disabled {
			detail["sessions_ended"] = sessions
		}
		return appendAudit(ctx, tx, at, by, action, name, why, detail)
	})
	if err != nil {
		verb := "enable"
		if disabled {
			verb = "disable"
		}
		return 0, false, fmt.Errorf("workspace: %s user %s: %w", verb, name, err)
	}
	return sessions, changed, nil
}
