// Package sobuild builds Go plugins and programs from tests with the same compiler flags
// as the running test binary, so that a plugin it builds can be loaded by that binary.
//
// Go refuses to load a plugin when any package it shares with the host was compiled
// differently, so a plugin for a test run with -race must itself be built with -race.
// Build reproduces the -race setting and the -gcflags, -tags, -asan and -msan settings
// recorded in the test binary, never adds -trimpath, and caches each distinct build for the
// life of the test binary. A package that uses Build must run its tests through Run:
//
//	func TestMain(m *testing.M) { os.Exit(sobuild.Run(m)) }
package sobuild
