package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

// logFlags are the logging flags every command takes.
func logFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "log-format", Value: "auto", Usage: "log format: auto (readable on a terminal, JSON otherwise), console, json"},
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "log level: debug, info, warn, error"},
	}
}

// newLogger returns the logger for a command, writing to the app's error
// writer, and whether that writer is a terminal (for progress lines).
func newLogger(c *cli.Context) (zerolog.Logger, bool, error) {
	w := c.App.ErrWriter
	tty := isTerminal(w)
	level, err := zerolog.ParseLevel(c.String("log-level"))
	if err != nil || c.String("log-level") == "" {
		return zerolog.Nop(), false, usagef("--log-level: unknown level %q", c.String("log-level"))
	}
	var out io.Writer
	switch f := c.String("log-format"); f {
	case "json":
		out = w
		tty = false
	case "console":
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly, NoColor: !tty}
	case "auto":
		if tty {
			out = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
		} else {
			out = w
		}
	default:
		return zerolog.Nop(), false, usagef("--log-format: want auto, console or json, not %q", f)
	}
	return zerolog.New(out).Level(level).With().Timestamp().Logger(), tty, nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// humanCount formats n with thousands separators.
func humanCount(n int64) string {
	s := fmt.Sprint(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// humanRate formats a per-second rate compactly: 950, 12.3k, 4.56M.
func humanRate(perSec float64) string {
	switch {
	case perSec >= 1e6:
		return fmt.Sprintf("%.2fM", perSec/1e6)
	case perSec >= 1e3:
		return fmt.Sprintf("%.1fk", perSec/1e3)
	}
	return fmt.Sprintf("%.0f", perSec)
}

// roundDur formats d for logs, rounded to the millisecond ("1.234s").
func roundDur(d time.Duration) string { return d.Round(time.Millisecond).String() }
