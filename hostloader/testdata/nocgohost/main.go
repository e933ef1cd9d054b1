// Command nocgohost opens the plugin file named by its argument with hostloader and prints
// whether the error is a *hostloader.PluginsUnsupportedError, followed by the error. Tests
// build it with CGO_ENABLED=0 to play a host without plugin support.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
)

func main() {
	_, err := hostloader.Open(os.Args[1])
	var unsupported *hostloader.PluginsUnsupportedError
	fmt.Printf("unsupported=%t\n%v\n", errors.As(err, &unsupported), err)
}
