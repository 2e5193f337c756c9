package web

import (
	"io/fs"
	"strings"
	"testing"
)

func TestEmbedded(t *testing.T) {
	for _, name := range []string{"index.html", "app.js", "app.css"} {
		b, err := fs.ReadFile(FS(), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(b) == 0 {
			t.Fatalf("%s is empty", name)
		}
	}
	idx, _ := fs.ReadFile(FS(), "index.html")
	if !strings.Contains(string(idx), `src="app.js"`) || !strings.Contains(string(idx), `href="app.css"`) {
		t.Fatal("index.html does not load app.js and app.css")
	}
}
