package main

import (
	"fmt"
	"os"
	"slices"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/spill"
)

// spillOff is the --spill-dir value that keeps every column on the heap.
const spillOff = "off"

// spillDirFlag is --spill-dir of the batch commands that read a whole
// dataset (detect, bench scale, bench detect): where the columns read only
// at the end are moved out of the heap (graph.Tables.Spill). def says
// where they go by default.
func spillDirFlag(def string) cli.Flag {
	return &cli.StringFlag{
		Name: "spill-dir",
		Usage: "directory of the temporary, unlinked file into which the columns only written back out at the end " +
			"(visit ids, person numbers, names, fee-line serials; about 27 bytes a visit) are moved out of memory " +
			"(default " + def + "); \"" + spillOff + "\" keeps them in memory",
	}
}

// spillTables moves t's write-only columns into a file in the directory
// --spill-dir names (when not set, --out if the command has one, else the
// system's temporary directory), unless the command has no such flag or it
// says off. It returns the file to close once the tables are no longer
// read, or nil when nothing was moved. A directory given with --spill-dir
// that cannot take the file is an error; when the default one cannot (a
// file system without mmap, a full disk), the columns not yet moved stay in
// memory with a warning: moving them saves memory, it is not needed for
// the run. A file that columns were moved into is kept open either way.
func spillTables(c *cli.Context, log zerolog.Logger, t *graph.Tables) (*spill.File, error) {
	if !hasFlag(c, "spill-dir") || !spill.Supported {
		return nil, nil
	}
	dir := c.String("spill-dir")
	explicit := dir != ""
	switch {
	case dir == spillOff:
		return nil, nil
	case !explicit && hasFlag(c, "out") && c.String("out") != "":
		dir = c.String("out")
	case !explicit:
		dir = os.TempDir()
	}
	f, err := spill.Create(dir)
	if err == nil {
		err = t.Spill(f)
		if err != nil && f.Moved() == 0 {
			f.Close() // nothing reads it
			f = nil
		}
	}
	switch {
	case err != nil && explicit:
		return f, fmt.Errorf("--spill-dir %s: %w", dir, err)
	case err != nil:
		log.Warn().Err(err).Str("dir", dir).Msg("columns read only at the end kept in memory (set --spill-dir to a directory on a local disk)")
	}
	if f != nil {
		log.Info().Int64("moved_mb", f.Moved()>>20).Str("dir", dir).Msg("columns read only at the end moved out of memory")
	}
	return f, nil
}

// hasFlag reports whether c's command defines the flag name.
func hasFlag(c *cli.Context, name string) bool {
	if c.Command == nil {
		return false
	}
	for _, f := range c.Command.Flags {
		if slices.Contains(f.Names(), name) {
			return true
		}
	}
	return false
}

// closeSpill closes the spill file of p, if any, logging an error: the
// run's results are written by then.
func (p *pipeline) closeSpill(log zerolog.Logger) {
	if p == nil || p.spilled == nil {
		return
	}
	if err := p.spilled.Close(); err != nil {
		log.Warn().Err(err).Msg("close spill file")
	}
	p.spilled = nil
}
