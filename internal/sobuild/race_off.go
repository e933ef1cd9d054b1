//go:build !race

package sobuild

// raceEnabled reports whether this test binary was built with -race.
const raceEnabled = false
