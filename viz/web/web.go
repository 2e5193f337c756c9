// Package web holds the RingLens browser page, built from src/ by esbuild
// (npm ci && npm run build) and committed under dist/ so that go build
// needs no npm. check-bundle.sh verifies that dist/ is reproducible from the
// lockfile.
package web

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// FS returns the built page (index.html, app.js, app.css) rooted at the
// dist directory, ready for http.FileServer(http.FS(web.FS())).
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub only fails for an invalid path; "dist" is valid.
		panic(err)
	}
	return sub
}
