// Command host is a stand-in for the API server in hostcompat tests: it links
// golang.org/x/time/rate and opens the plugin named by its argument.
package main

import (
	"fmt"
	"os"
	"plugin"

	"golang.org/x/time/rate"
)

func main() {
	limiter := rate.NewLimiter(rate.Limit(10), 1)
	if !limiter.Allow() {
		fmt.Println("error: the rate limiter refused its first event")
		os.Exit(1)
	}
	if len(os.Args) < 2 {
		return
	}
	p, err := plugin.Open(os.Args[1])
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if _, err := p.Lookup("Plugin"); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ok")
}
