// Command ringlens finds organised fraud rings in public medical-insurance
// claims: it reads the national platform's claim exports, builds a graph of
// patients, doctors, institutions and pharmacies, and reports what it finds.
//
// Exit codes: 0 success, 1 error, 2 usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// Exit codes of the command.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// run executes the command line args and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app, usageFailed := newApp(stdout, stderr)
	err := app.RunContext(ctx, args)
	var ue usageError
	switch {
	case err == nil && !*usageFailed:
		return exitOK
	case errors.As(err, &ue) || *usageFailed:
		if err != nil {
			fmt.Fprintf(stderr, "ringlens: %v\n", err)
		}
		fmt.Fprintln(stderr, "Run 'ringlens --help' or 'ringlens COMMAND --help' for usage.")
		return exitUsage
	default:
		fmt.Fprintf(stderr, "ringlens: %v\n", err)
		return exitError
	}
}

// usageError marks an error in how the command was called (exit code 2).
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }
