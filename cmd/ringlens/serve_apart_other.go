//go:build !linux

package main

import (
	"context"
	"errors"

	"github.com/ringlens/ringlens/viz/server"
	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

// errApartLinux refuses full runs in processes of their own off Linux
// (they need SCHED_IDLE and an inherited listener).
var errApartLinux = errors.New("serve: --full-run-process is supported on Linux only")

// generationLink is a serving process's side of its control socket
// (Linux only).
type generationLink struct{}

func runGeneration(*cli.Context, zerolog.Logger, *serveConfig) error { return errApartLinux }

func superviseServe(*cli.Context, zerolog.Logger, *serveConfig) error {
	return usageError{errApartLinux}
}

func (*generationLink) configure(*server.Config, context.CancelFunc, chan struct{}) {}

func (*generationLink) start(context.Context, *server.Server, func()) {}
