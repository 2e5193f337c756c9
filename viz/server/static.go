package server

import "embed"

// placeholder holds the minimal page served at / when Config.Static is nil.
//
//go:embed placeholder/index.html
var placeholder embed.FS
