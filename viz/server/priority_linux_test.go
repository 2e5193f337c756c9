package server

import (
	"syscall"
	"testing"
)

// threadNice returns the nice value of the calling thread.
func threadNice(t *testing.T) int {
	t.Helper()
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		t.Fatal(err)
	}
	return 20 - raw
}

// TestUpdaterRunsBelowChecks checks that the updater's work runs on a
// thread scheduled Config.UpdateNice below the process, one call after
// another, that the rest of the process keeps its priority, and that a
// negative UpdateNice leaves the updater's thread alone.
func TestUpdaterRunsBelowChecks(t *testing.T) {
	base := threadNice(t)
	cases := []struct {
		name string
		nice int
		want int
	}{
		{"default", DefaultUpdateNice, min(base+DefaultUpdateNice, 19)},
		{"lowest", 30, 19},
		{"off", -1, base},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &Server{cfg: Config{UpdateNice: c.nice}}
			u := s.startUpdater()
			var got []int
			for range 3 {
				u.do(func() { got = append(got, threadNice(t)) })
			}
			u.stop()
			for i, n := range got {
				if n != c.want {
					t.Errorf("call %d ran at nice %d, want %d", i, n, c.want)
				}
			}
			if n := threadNice(t); n != base {
				t.Errorf("the test's thread is at nice %d after the updater, want %d", n, base)
			}
		})
	}
}
