package sobuild

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
)

// running is set while Run executes the tests; Build refuses to work without it because
// nothing else would remove the shared output directory.
var running atomic.Bool

// shared holds the output directory common to all builds of this test binary and the
// cached result of each distinct build.
var shared struct {
	mu      sync.Mutex
	dir     string
	entries map[string]*entry
}

// entry is the result of one distinct build, computed once and reused by later callers.
type entry struct {
	once sync.Once
	path string
	err  error
}

// Run runs the tests of m and then removes every file Build produced. Call it from the
// package's TestMain: os.Exit(sobuild.Run(m)).
func Run(m *testing.M) int {
	running.Store(true)
	code := m.Run()
	running.Store(false)
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.dir != "" {
		if err := os.RemoveAll(shared.dir); err != nil {
			fmt.Fprintf(os.Stderr, "sobuild: removing built files: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
		shared.dir = ""
	}
	return code
}

// outputDir returns the shared output directory, creating it on first use, and the entry
// that caches the build identified by key.
func outputDir(key string) (string, *entry, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.dir == "" {
		dir, err := os.MkdirTemp("", "sobuild-")
		if err != nil {
			return "", nil, err
		}
		shared.dir = dir
		shared.entries = map[string]*entry{}
	}
	e := shared.entries[key]
	if e == nil {
		e = &entry{}
		shared.entries[key] = e
	}
	return shared.dir, e, nil
}
