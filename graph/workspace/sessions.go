package workspace

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ringlens/ringlens/graph/vocab"
)

// SessionTTL is how long a login lasts.
const SessionTTL = 12 * time.Hour

// After MaxFailedLogins failed logins of a user within LockoutWindow,
// further attempts are refused with ErrLocked, without the password being
// checked, until the window has passed.
const (
	MaxFailedLogins = 5
	LockoutWindow   = 15 * time.Minute
)

// ErrLocked is returned by Login while a user is locked out.
var ErrLocked = errors.New("too many failed logins: try again later")

// ErrDisabled is returned by Login for a disabled user (SetDisabled), once
// the password was found right: who does not know it learns nothing.
var ErrDisabled = errors.New("the user is disabled")

// Session is a logged-in user. Token goes to the browser in a cookie and is
// stored only as its SHA-256; CSRF must accompany every write of the
// session.
type Session struct {
	Token     string `json:"-"`
	CSRF      string `json:"csrf"`
	User      User   `json:"user"`
	ExpiresAt string `json:"expires_at"`
}

// dummyHash is checked against the password given for an unknown user, so
// that a login takes as long whether the name exists or not.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// Login checks name and password and opens a session of SessionTTL. Every
// attempt is audited: a login under the user's name, a failure under the
// name when it is a user's ("-" otherwise: what was typed is not kept).
// A wrong name or password gives ErrBadLogin; a user with MaxFailedLogins
// failures within LockoutWindow is refused with ErrLocked; a disabled user
// with the right password is refused with ErrDisabled (audited as a failed
// login).
func (w *Workspace) Login(ctx context.Context, name, password string) (Session, error) {
	var u User
	var hash string
	err := w.db.QueryRowContext(ctx, `SELECT name, role, created_at, disabled_at, password_hash FROM users WHERE name=?`, name).
		Scan(&u.Name, &u.Role, &u.CreatedAt, &u.DisabledAt, &hash)
	known := err == nil
	switch {
	case errors.Is(err, sql.ErrNoRows):
		hash = dummyHash
	case err != nil:
		return Session{}, fmt.Errorf("workspace: login: %w", err)
	}
	now := w.Now().UTC()
	at := now.Format(time.RFC3339)
	locked := false
	if known {
		var failed int
		if err := w.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit WHERE action=? AND who=? AND at > ?`,
			vocab.AuditLoginFailed, u.Name, now.Add(-LockoutWindow).Format(time.RFC3339)).Scan(&failed); err != nil {
			return Session{}, fmt.Errorf("workspace: login: %w", err)
		}
		locked = failed >= MaxFailedLogins
	}
	ok := false
	if !locked {
		if ok, err = checkPassword(hash, password); err != nil {
			return Session{}, fmt.Errorf("workspace: login: %w", err)
		}
	}
	disabled := known && ok && u.Disabled()
	if !known || !ok || disabled {
		who := "-"
		if known {
			who = u.Name
		}
		detail := map[string]any{"known_user": known, "locked": locked}
		if disabled {
			detail["disabled"] = true
		}
		err := inTx(ctx, w.db, func(tx *sql.Tx) error {
			return appendAudit(ctx, tx, at, who, vocab.AuditLoginFailed, who, "", detail)
		})
		if err != nil {
			return Session{}, fmt.Errorf("workspace: login: %w", err)
		}
		switch {
		case locked:
			return Session{}, ErrLocked
		case disabled:
			return Session{}, ErrDisabled
		}
		return Session{}, ErrBadLogin
	}
	s := Session{User: u, ExpiresAt: now.Add(SessionTTL).Format(time.RFC3339)}
	if s.Token, err = randomToken(); err != nil {
		return Session{}, fmt.Errorf("workspace: login: %w", err)
	}
	if s.CSRF, err = randomToken(); err != nil {
		return Session{}, fmt.Errorf("workspace: login: %w", err)
	}
	err = inTx(ctx, w.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, at); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions(token_hash, user, csrf, created_at, expires_at) VALUES (?,?,?,?,?)`,
			tokenHash(s.Token), u.Name, s.CSRF, at, s.ExpiresAt); err != nil {
			return err
		}
		return appendAudit(ctx, tx, at, u.Name, vocab.AuditLogin, u.Name, "", map[string]any{"role": u.Role, "expires_at": s.ExpiresAt})
	})
	if err != nil {
		return Session{}, fmt.Errorf("workspace: login %s: %w", u.Name, err)
	}
	return s, nil
}

// Session returns the live session of token (without its Token), or
// ErrNoSession (also for a session of a user disabled since).
func (w *Workspace) Session(ctx context.Context, token string) (Session, error) {
	var s Session
	if token == "" {
		return s, ErrNoSession
	}
	err := w.db.QueryRowContext(ctx, `SELECT u.name, u.role, u.created_at, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.name = s.user
		WHERE s.token_hash=? AND s.expires_at > ? AND u.disabled_at = ''`, tokenHash(token), w.now()).
		Scan(&s.User.Name, &s.User.Role, &s.User.CreatedAt, &s.CSRF, &s.ExpiresAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s, ErrNoSession
	case err != nil:
		return s, fmt.Errorf("workspace: read session: %w", err)
	}
	return s, nil
}

// Logout ends the session of token; an unknown one is ErrNoSession.
func (w *Workspace) Logout(ctx context.Context, token string) error {
	s, err := w.Session(ctx, token)
	if err != nil {
		return err
	}
	at := w.now()
	err = inTx(ctx, w.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash=?`, tokenHash(token)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, at, s.User.Name, vocab.AuditLogout, s.User.Name, "", map[string]any{})
	})
	if err != nil {
		return fmt.Errorf("workspace: logout: %w", err)
	}
	return nil
}

// randomToken is 32 random bytes in hex.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// tokenHash is the SHA-256 (hex) of a session token, the form it is stored in.
func tokenHash(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}
