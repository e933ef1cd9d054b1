// Package main is a test plugin built in its own module against golang.org/x/time v0.10.0,
// a different version from the host's, so the host must refuse to load it.
package main

import (
	"time"

	"golang.org/x/time/rate"
)

// Plugin links golang.org/x/time/rate into the plugin.
var Plugin = rate.Every(time.Second)
