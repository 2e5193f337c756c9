package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
	"github.com/urfave/cli/v2"
)

// passwordEnv names the environment variable `user add` reads the password
// from, so that it never appears in the process list or a shell history.
const passwordEnv = "RINGLENS_PASSWORD"

// userCommand is `ringlens user`: the people of a workspace and their roles.
func userCommand() *cli.Command {
	return &cli.Command{
		Name:  "user",
		Usage: "manage the users of a workspace: add, list, disable, enable, put an investigator on a case",
		Description: "Once a workspace has users, 'ringlens serve --state DIR' requires a login, and the\n" +
			"role decides what one may see and do (docs/workflow.md): admin, investigator,\n" +
			"reviewer, police. Passwords are stored as Argon2id hashes.",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "add a user, or give an existing one a new role and password (password from " + passwordEnv + ")",
				UsageText: passwordEnv + "=... ringlens user add --name wang --role investigator --state DIR",
				Flags: []cli.Flag{stateFlag(),
					&cli.StringFlag{Name: "name", Usage: "user name (letters, digits, '.', '_', '-')"},
					&cli.StringFlag{Name: "role", Usage: "admin, investigator, reviewer or police"},
					&cli.StringFlag{Name: "by", Usage: "who adds the user (default: the login name)"}},
				Action: runUserAdd,
			},
			{
				Name:      "list",
				Usage:     "list the users and their roles",
				UsageText: "ringlens user list --state DIR",
				Flags:     []cli.Flag{stateFlag()},
				Action:    runUserList,
			},
			{
				Name:      "disable",
				Usage:     "disable a user: its logins are refused and its sessions end at once (audited)",
				UsageText: "ringlens user disable --name wang --state DIR [--reason TEXT] [--by USER]",
				Flags:     disableFlags("who disables the user (default: the login name)"),
				Action:    func(c *cli.Context) error { return runUserDisable(c, true) },
			},
			{
				Name:      "enable",
				Usage:     "enable a disabled user again (audited)",
				UsageText: "ringlens user enable --name wang --state DIR [--reason TEXT] [--by USER]",
				Flags:     disableFlags("who enables the user (default: the login name)"),
				Action:    func(c *cli.Context) error { return runUserDisable(c, false) },
			},
			{
				Name:      "assign",
				Usage:     "put an investigator on a case (who may then reveal the identities of its people)",
				UsageText: "ringlens user assign --case CL-000001 --name wang --state DIR [--by USER]",
				Flags: []cli.Flag{stateFlag(),
					&cli.StringFlag{Name: "case", Usage: "case id (CL-000001)"},
					&cli.StringFlag{Name: "name", Usage: "the investigator's user name"},
					&cli.StringFlag{Name: "by", Usage: "who assigns (default: the login name)"}},
				Action: runUserAssign,
			},
		},
	}
}

func runUserAdd(c *cli.Context) error {
	name, role := c.String("name"), c.String("role")
	switch {
	case name == "":
		return usagef("user add: --name is required")
	case role == "":
		return usagef("user add: --role is required (admin, investigator, reviewer, police)")
	}
	if _, ok := vocab.Lookup(vocab.UserRoles, role); !ok {
		return usagef("user add: unknown --role %q (admin, investigator, reviewer, police)", role)
	}
	if err := workspace.CheckUserName(name); err != nil {
		return usagef("user add: --name: %v", err)
	}
	password := os.Getenv(passwordEnv)
	if len([]rune(password)) < workspace.MinPasswordLen {
		return usagef("user add: set %s to the password (at least %d characters)", passwordEnv, workspace.MinPasswordLen)
	}
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		if err := w.AddUser(ctx, name, role, password, byOrLogin(c)); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "user %s: %s\n", name, role)
		return nil
	})
}

func runUserList(c *cli.Context) error {
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		us, err := w.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tSTATUS")
		for _, u := range us {
			status := "active"
			if u.Disabled() {
				status = "disabled since " + u.DisabledAt
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, u.CreatedAt, status)
		}
		return tw.Flush()
	})
}

// disableFlags are the flags of `user disable` and `user enable`; by
// describes --by.
func disableFlags(by string) []cli.Flag {
	return []cli.Flag{stateFlag(),
		&cli.StringFlag{Name: "name", Usage: "user name"},
		&cli.StringFlag{Name: "reason", Usage: "why, for the audit trail (at most 500 characters)"},
		&cli.StringFlag{Name: "by", Usage: by}}
}

// runUserDisable is `user disable` (disabled true) and `user enable`.
func runUserDisable(c *cli.Context, disabled bool) error {
	verb, done := "enable", "enabled"
	if disabled {
		verb, done = "disable", "disabled"
	}
	name := c.String("name")
	if name == "" {
		return usagef("user %s: --name is required", verb)
	}
	if n := len([]rune(c.String("reason"))); n > workspace.MaxReasonLen {
		return usagef("user %s: --reason: at most %d characters", verb, workspace.MaxReasonLen)
	}
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		ended, changed, err := w.SetDisabled(ctx, name, disabled, byOrLogin(c), c.String("reason"))
		if errors.Is(err, workspace.ErrUnknownUser) || errors.Is(err, workspace.ErrInvalid) {
			return usageError{err}
		}
		if err != nil {
			return err
		}
		switch {
		case !changed:
			fmt.Fprintf(c.App.Writer, "user %s: already %s\n", name, done)
		case disabled:
			fmt.Fprintf(c.App.Writer, "user %s: disabled, %d session(s) ended\n", name, ended)
		default:
			fmt.Fprintf(c.App.Writer, "user %s: enabled\n", name)
		}
		return nil
	})
}

func runUserAssign(c *cli.Context) error {
	id, name := c.String("case"), c.String("name")
	switch {
	case id == "":
		return usagef("user assign: --case is required")
	case name == "":
		return usagef("user assign: --name is required")
	}
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		err := w.Assign(ctx, id, name, byOrLogin(c))
		if errors.Is(err, workspace.ErrForbidden) || errors.Is(err, workspace.ErrUnknownUser) {
			return usageError{err}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "%s: %s is on the case\n", id, name)
		return nil
	})
}

// byOrLogin is --by, or the login name when it is not given.
func byOrLogin(c *cli.Context) string {
	if by := c.String("by"); by != "" {
		return by
	}
	return osUser()
}
