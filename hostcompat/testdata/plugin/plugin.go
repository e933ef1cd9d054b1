// Package main is a stand-in plugin for hostcompat tests; it links
// golang.org/x/time/rate like the real plugin does.
package main

import "golang.org/x/time/rate"

// Plugin is the symbol the test host looks up.
var Plugin int

// limiter makes the plugin link the rate package.
var limiter = rate.NewLimiter(rate.Limit(10), 1)

func init() {
	if limiter.Allow() {
		Plugin = 1
	}
}
