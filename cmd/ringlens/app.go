package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

// newApp builds the command tree. usageFailed is set when urfave/cli reports
// an unknown command, which it does not return as an error.
func newApp(stdout, stderr io.Writer) (*cli.App, *bool) {
	usageFailed := new(bool)
	onUsage := func(_ *cli.Context, err error, _ bool) error { return usageError{err} }
	app := &cli.App{
		Name:  "ringlens",
		Usage: "find organised fraud rings in medical-insurance claims",
		Description: "RingLens reads settled-claim exports of the national medical security platform\n" +
			"(the data contract in docs/data-contract.md), builds a graph of patients, doctors,\n" +
			"institutions and pharmacies, and reports the rings it finds.",
		UsageText: "ringlens generate --preset huli --seed 1 --out city\n" +
			"ringlens detect --in city --out report",
		Writer:         stdout,
		ErrWriter:      stderr,
		HideVersion:    true,
		OnUsageError:   onUsage,
		ExitErrHandler: func(*cli.Context, error) {},
		CommandNotFound: func(c *cli.Context, name string) {
			*usageFailed = true
			fmt.Fprintf(stderr, "ringlens: unknown command %q\n", name)
		},
		Commands: []*cli.Command{
			generateCommand(),
			detectCommand(),
			evalCommand(),
			feedbackCommand(),
			dossierCommand(),
			caseCommand(),
			auditCommand(),
			pointsCommand(),
			packetCommand(),
			userCommand(),
			serveCommand(),
			neo4jCommand(),
			benchCommand(),
			versionCommand(),
		},
	}
	for _, c := range app.Commands {
		setHandlers(c, onUsage)
	}
	return app, usageFailed
}

// setHandlers gives c and its subcommands the usage-error handler, and every
// command that runs an action the check that no positional argument was given.
func setHandlers(c *cli.Command, h cli.OnUsageErrorFunc) {
	c.OnUsageError = h
	if len(c.Subcommands) == 0 && c.Before == nil {
		c.Before = requireNoArgs
	}
	for _, s := range c.Subcommands {
		setHandlers(s, h)
	}
}

// requireNoArgs rejects positional arguments, which no command takes.
func requireNoArgs(c *cli.Context) error {
	if c.Args().Len() > 0 {
		return usagef("%s: unexpected argument %q", c.Command.Name, c.Args().First())
	}
	return nil
}
