// Command apihost stands in for a StreamSpace API server built against a newer
// golang.org/x/time than the plugin pins: it links x/time and uuid, as the API server
// does, and opens the plugin .so named on its command line like a host would.
package main

import (
	"fmt"
	"log/slog"
	"os"
	"plugin"

	"github.com/google/uuid"
	"golang.org/x/time/rate"
)

// streamspacePlugin is the interface the host declares for the plugin.
type streamspacePlugin interface {
	OnLoad(config map[string]any, logger *slog.Logger) error
	OnUnload() error
	OnSessionCreated(session any) error
	OnSessionHibernated(session any) error
	OnUserCreated(user any) error
}

func main() {
	// Use both shared modules, so the linker keeps them.
	_ = rate.NewLimiter(1, 1)
	_ = uuid.NewString()

	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: apihost PLUGIN.so")
		os.Exit(2)
	}
	p, err := plugin.Open(os.Args[1])
	if err != nil {
		fmt.Println("open failed:", err)
		os.Exit(1)
	}
	sym, err := p.Lookup("Plugin")
	if err != nil {
		fmt.Println("lookup failed:", err)
		os.Exit(1)
	}
	if _, ok := sym.(streamspacePlugin); !ok {
		fmt.Printf("Plugin is a %T\n", sym)
		os.Exit(1)
	}
	fmt.Println("ok")
}
