package hostloader_test

import (
	"bytes"
	"log/slog"
	"runtime"
	"testing"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openGood loads the good test plugin and returns it.
func openGood(t *testing.T) *hostloader.Loaded {
	t.Helper()
	loaded, err := hostloader.Open(buildPlugin(t, "goodplugin"))
	require.NoError(t, err)
	return loaded
}

// statsDelta returns how much each counter of the plugin grew while fn ran.
func statsDelta(t *testing.T, loaded *hostloader.Loaded, fn func()) map[string]int64 {
	t.Helper()
	before, ok := loaded.Stats()
	require.True(t, ok, "the good plugin implements Stats")
	fn()
	after, _ := loaded.Stats()
	delta := map[string]int64{}
	for name, n := range after {
		if d := n - before[name]; d != 0 {
			delta[name] = d
		}
	}
	return delta
}

func TestOpenGivesHandlerThatReachesPlugin(t *testing.T) {
	t.Parallel()
	loaded := openGood(t)

	t.Run("each Handler method reaches the plugin", func(t *testing.T) {
		delta := statsDelta(t, loaded, func() {
			require.NoError(t, loaded.Handler.OnLoad(map[string]any{"a": 1}, nil))
			require.NoError(t, loaded.Handler.OnSessionCreated("s1"))
			require.NoError(t, loaded.Handler.OnSessionHibernated("s1"))
			require.NoError(t, loaded.Handler.OnUserCreated("u1"))
			require.NoError(t, loaded.Handler.OnUnload())
		})
		assert.Equal(t, map[string]int64{
			"loads": 1, "created": 1, "hibernated": 1, "users": 1, "unloads": 1,
		}, delta)
	})

	t.Run("the logger given to OnLoad is the one the plugin logs to", func(t *testing.T) {
		var buf bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&buf, nil))
		require.NoError(t, loaded.Handler.OnLoad(map[string]any{"a": 1, "b": 2}, logger))
		assert.Contains(t, buf.String(), `msg="goodplugin loaded" fields=2`)
	})

	t.Run("errors from the plugin reach the host", func(t *testing.T) {
		err := loaded.Handler.OnLoad(map[string]any{"fail": true}, nil)
		assert.EqualError(t, err, "goodplugin: config field fail is set to true")
		assert.EqualError(t, loaded.Handler.OnSessionCreated(nil), "goodplugin: session is nil")
	})

	t.Run("optional methods the plugin implements are used", func(t *testing.T) {
		version, ok := loaded.Version()
		assert.True(t, ok)
		assert.Equal(t, "goodplugin-test", version)
		var handled bool
		delta := statsDelta(t, loaded, func() {
			var err error
			handled, err = loaded.OnSessionWoken("s1")
			require.NoError(t, err)
		})
		assert.True(t, handled)
		assert.Equal(t, map[string]int64{"woken": 1}, delta)
	})

	t.Run("optional methods the plugin lacks are reported as unhandled", func(t *testing.T) {
		handled, err := loaded.OnSessionDeleted("s1")
		assert.False(t, handled)
		assert.NoError(t, err)
	})

	t.Run("build information is read from the file", func(t *testing.T) {
		require.NotNil(t, loaded.Build)
		assert.Equal(t, runtime.Version(), loaded.Build.GoVersion)
		assert.Equal(t,
			"github.com/streamspace/streamspace-pagerduty/hostloader/testdata/goodplugin",
			loaded.Build.Path)
	})

	t.Run("opening the same file again gives the same handler", func(t *testing.T) {
		again, err := hostloader.Open(loaded.Path)
		require.NoError(t, err)
		assert.True(t, again.Handler == loaded.Handler)
	})
}

// minimalHandler implements Handler and none of the optional interfaces.
type minimalHandler struct{}

func (minimalHandler) OnLoad(map[string]any, *slog.Logger) error { return nil }
func (minimalHandler) OnUnload() error                           { return nil }
func (minimalHandler) OnSessionCreated(any) error                { return nil }
func (minimalHandler) OnSessionHibernated(any) error             { return nil }
func (minimalHandler) OnUserCreated(any) error                   { return nil }

func TestLoadedReportsMissingOptionalMethods(t *testing.T) {
	t.Parallel()
	loaded := &hostloader.Loaded{Handler: minimalHandler{}}
	stats, ok := loaded.Stats()
	assert.False(t, ok)
	assert.Nil(t, stats)
	version, ok := loaded.Version()
	assert.False(t, ok)
	assert.Empty(t, version)
	for name, call := range map[string]func(any) (bool, error){
		"OnSessionWoken":   loaded.OnSessionWoken,
		"OnSessionDeleted": loaded.OnSessionDeleted,
	} {
		handled, err := call("s1")
		assert.False(t, handled, name)
		assert.NoError(t, err, name)
	}
}
