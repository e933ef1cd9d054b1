package sobuild

import (
	"runtime/debug"
	"strings"
)

// matchingFlags returns the go build flags that reproduce how this test binary was compiled.
// When cgoOff is set the flags that need cgo (-race, -asan, -msan) are left out, because
// go build rejects them without cgo.
func matchingFlags(cgoOff bool) []string {
	var settings []debug.BuildSetting
	if info, ok := debug.ReadBuildInfo(); ok {
		settings = info.Settings
	}
	return flagsFrom(raceEnabled, settings, cgoOff)
}

// flagsFrom builds the flag list from the race setting and the recorded build settings.
// The race flag comes from the build-tagged raceEnabled constant; -gcflags, -tags, -asan
// and -msan come from the settings the go command records in every binary.
func flagsFrom(race bool, settings []debug.BuildSetting, cgoOff bool) []string {
	var flags []string
	if race && !cgoOff {
		flags = append(flags, "-race")
	}
	for _, s := range settings {
		switch s.Key {
		case "-gcflags", "-tags":
			if s.Value != "" {
				flags = append(flags, s.Key+"="+s.Value)
			}
		case "-asan", "-msan":
			if s.Value == "true" && !cgoOff {
				flags = append(flags, s.Key)
			}
		}
	}
	return flags
}

// envValue returns the value the last KEY=VALUE entry in env gives key, as the operating
// system does when an environment lists a key twice, or "" when key is absent.
func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}
