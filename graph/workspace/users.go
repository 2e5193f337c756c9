package workspace

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/ringlens/ringlens/graph/vocab"
)

// migrationUsers is schema step 3: users, their sessions, who works which
// case, and the reveals of personal data.
const migrationUsers = `CREATE TABLE users (
	name          TEXT PRIMARY KEY,
	role          TEXT NOT NULL,          -- a vocab user_role code
	password_hash TEXT NOT NULL,          -- PHC string of Argon2id (password.go)
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,          -- SHA-256 (hex) of the cookie's token; the token is never stored
	user       TEXT NOT NULL REFERENCES users(name),
	csrf       TEXT NOT NULL,             -- the token every write of the session carries
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user);
CREATE TABLE case_investigators (
	clue_id  TEXT NOT NULL REFERENCES clues(id),
	user     TEXT NOT NULL REFERENCES users(name),
	added_at TEXT NOT NULL,
	added_by TEXT NOT NULL,
	PRIMARY KEY (clue_id, user)
);
CREATE TABLE reveals (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	at      TEXT NOT NULL,
	user    TEXT NOT NULL,
	clue_id TEXT NOT NULL,
	member  TEXT NOT NULL,                -- kind:id of the person
	reason  TEXT NOT NULL,
	allowed INTEGER NOT NULL              -- 1 shown, 0 refused
);`

// User is a workspace user as it may be shown: never the password hash.
type User struct {
	Name      string `json:"name"`
	Role      string `json:"role"` // a vocab.UserRoles code
	CreatedAt string `json:"created_at"`
	// DisabledAt is when the user was disabled (RFC 3339 UTC), "" for a
	// user who may log in.
	DisabledAt string `json:"disabled_at,omitempty"`
}

// Disabled reports whether u is disabled: no login, no session.
func (u User) Disabled() bool { return u.DisabledAt != "" }

// Errors of users, sessions and reveals.
var (
	// ErrBadLogin is returned for an unknown user or a wrong password
	// (which of the two is not said).
	ErrBadLogin = errors.New("wrong name or password")
	// ErrNoSession is returned for a session token that is unknown or
	// expired.
	ErrNoSession = errors.New("no such session (log in again)")
	// ErrForbidden is returned when a user's role or assignment does not
	// allow what was asked.
	ErrForbidden = errors.New("not allowed")
	// ErrUnknownUser is returned for a user name the workspace does not
	// hold.
	ErrUnknownUser = errors.New("no such user")
)

// MaxNameLen is the longest user name accepted, in characters.
const MaxNameLen = 64

// MinPasswordLen is the shortest password accepted, in characters.
const MinPasswordLen = 10

// CheckUserName refuses a name that is empty, longer than MaxNameLen or
// holds anything but letters, digits, '.', '_' and '-'.
func CheckUserName(name string) error {
	if name == "" || len([]rune(name)) > MaxNameLen {
		return fmt.Errorf("user name: want 1 to %d characters", MaxNameLen)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-", r) {
			return errors.New("user name: only letters, digits, '.', '_' and '-'")
		}
	}
	return nil
}

// AddUser adds a user with role and password (stored as an Argon2id
// hash), or, when the name exists, gives it the new role and password.
// One transaction with its audit entry; by is who added it. A disabled user
// stays disabled (SetDisabled enables it).
func (w *Workspace) AddUser(ctx context.Context, name, role, password, by string) error {
	if err := CheckUserName(name); err != nil {
		return fmt.Errorf("workspace: %w", err)
	}
	if !known(vocab.UserRoles, role) {
		return fmt.Errorf("workspace: unknown role %q (admin, investigator, reviewer, police)", role)
	}
	if len([]rune(password)) < MinPasswordLen {
		return fmt.Errorf("workspace: the password is shorter than %d characters", MinPasswordLen)
	}
	if strings.TrimSpace(by) == "" {
		by = "cli"
	}
	hash, err := hashPassword(password)
	if err != nil {
		return fmt.Errorf("workspace: add user: %w", err)
	}
	at := w.now()
	err = inTx(ctx, w.db, func(tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, `SELECT role FROM users WHERE name=?`, name).Scan(&old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO users(name, role, password_hash, created_at, updated_at) VALUES (?,?,?,?,?)`,
				name, role, hash, at, at); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE users SET role=?, password_hash=?, updated_at=? WHERE name=?`,
				role, hash, at, name); err != nil {
				return err
			}
			// A new password or role ends the user's sessions.
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user=?`, name); err != nil {
				return err
			}
		}
		return appendAudit(ctx, tx, at, by, vocab.AuditUserAdd, name, "", map[string]any{"role": role, "before": old})
	})
	if err != nil {
		return fmt.Errorf("workspace: add user %s: %w", name, err)
	}
	w.users.any.Store(true)
	return nil
}

// UsersRecheck is how long HasUsers trusts a read that found no user
// before it reads again. The server asks on every API request, and a query
// per request is a cost a check at the counter should not pay. A user
// added through this Workspace counts at once; one added by another
// process (`ringlens user add` beside a running server) counts within
// UsersRecheck.
const UsersRecheck = time.Second

// HasUsers reports whether the workspace has any user: then the web view
// requires a login. Users are never deleted (only disabled), so once a user
// is seen the answer stays true without a query; a read that found none is
// trusted for UsersRecheck.
func (w *Workspace) HasUsers(ctx context.Context) (bool, error) {
	if w.users.any.Load() {
		return true, nil
	}
	if at := w.users.noneAt.Load(); at != 0 && time.Duration(w.clock()-at) < UsersRecheck {
		return false, nil
	}
	var n int
	if err := w.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&n); err != nil {
		return false, fmt.Errorf("workspace: read users: %w", err)
	}
	if n == 1 {
		w.users.any.Store(true)
		return true, nil
	}
	w.users.noneAt.Store(w.clock())
	return false, nil
}

// usersSeen is what HasUsers remembers between queries.
type usersSeen struct {
	any    atomic.Bool  // a user was seen (or added here)
	noneAt atomic.Int64 // Workspace.clock of the last read that found none (0: none yet)
}

// Users returns every user, by name.
func (w *Workspace) Users(ctx context.Context) ([]User, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT name, role, created_at, disabled_at FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("workspace: read users: %w", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.Name, &u.Role, &u.CreatedAt, &u.DisabledAt); err != nil {
			return nil, fmt.Errorf("workspace: read users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// getUser reads one user inside q.
func getUser(ctx context.Context, q querier, name string) (User, error) {
	var u User
	err := q.QueryRowContext(ctx, `SELECT name, role, created_at, disabled_at FROM users WHERE name=?`, name).
		Scan(&u.Name, &u.Role, &u.CreatedAt, &u.DisabledAt)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrUnknownUser
	}
	return u, err
}

// Assign puts the investigator user on a case (who may then reveal the
// identities of its people); by is who assigned. Assigning someone who is
// already on the case changes nothing and writes no entry.
func (w *Workspace) Assign(ctx context.Context, caseID, user, by string) error {
	if strings.TrimSpace(by) == "" {
		return invalid("who assigns (by) is required")
	}
	at := w.now()
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		return assignTx(ctx, tx, at, caseID, user, by)
	})
	if err != nil {
		return fmt.Errorf("workspace: assign %s: %w", caseID, err)
	}
	return nil
}

// assignTx is Assign inside tx.
func assignTx(ctx context.Context, tx *sql.Tx, at, caseID, user, by string) error {
	if _, err := getClue(ctx, tx, caseID); err != nil {
		return err
	}
	u, err := getUser(ctx, tx, user)
	if err != nil {
		return err
	}
	if u.Role != vocab.UserInvestigator {
		return fmt.Errorf("%w: only investigators are put on a case (%s is %s)", ErrForbidden, u.Name, u.Role)
	}
	if u.Disabled() {
		return fmt.Errorf("%w: %s is disabled", ErrForbidden, u.Name)
	}
	r, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO case_investigators(clue_id, user, added_at, added_by) VALUES (?,?,?,?)`,
		caseID, user, at, by)
	if err != nil {
		return err
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return appendAudit(ctx, tx, at, by, vocab.AuditAssign, caseID, "", map[string]any{"user": user})
}

// Investigators returns the users on a case, by name.
func (w *Workspace) Investigators(ctx context.Context, caseID string) ([]string, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT user FROM case_investigators WHERE clue_id=? ORDER BY user`, caseID)
	if err != nil {
		return nil, fmt.Errorf("workspace: read investigators: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("workspace: read investigators: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// VisibleTo reports whether a user of role may see case c: the police see
// only cases transferred to the police; every other role sees every case.
func VisibleTo(role string, c Clue) bool {
	if role == vocab.UserPolice {
		return c.Status == vocab.StateTransferred && c.TransferTo == vocab.TransferPolice
	}
	return true
}
