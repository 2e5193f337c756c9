package main

import (
	"fmt"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:      "version",
		Usage:     "print the version and build of this binary",
		UsageText: "ringlens version",
		Action: func(c *cli.Context) error {
			fmt.Fprintln(c.App.Writer, versionString())
			return nil
		},
	}
}

// versionString describes the build: module version, VCS revision and Go version.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "ringlens (unknown build)"
	}
	rev, modified, when := "unknown", "", ""
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
			if len(rev) > 12 {
				rev = rev[:12]
			}
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		case "vcs.time":
			when = " " + s.Value
		}
	}
	return fmt.Sprintf("ringlens %s (commit %s%s%s, %s)", bi.Main.Version, rev, modified, when, bi.GoVersion)
}
