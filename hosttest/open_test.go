package hosttest

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"plugin"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamspace/streamspace-pagerduty/internal/sobuild"
	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
)

func TestMain(m *testing.M) { os.Exit(sobuild.Run(m)) }

// streamspacePlugin is the interface a host declares for the plugin: standard-library
// types only, exactly as the README documents it.
type streamspacePlugin interface {
	OnLoad(config map[string]any, logger *slog.Logger) error
	OnUnload() error
	OnSessionCreated(session any) error
	OnSessionHibernated(session any) error
	OnUserCreated(user any) error
}

// The optional methods a host may assert separately.
type (
	statsReporter  interface{ Stats() map[string]int64 }
	versioner      interface{ Version() string }
	lifecycleHooks interface {
		OnSessionWoken(session any) error
		OnSessionDeleted(session any) error
	}
)

// routingKey is distinctive so that a leak is easy to find.
const routingKey = "H0STTESTk3yZZZZZZZZZZZZZZZZZZZ99"

// openPlugin builds the plugin from the module root (once per test binary and plugin
// path) and opens it like a host.
func openPlugin(t *testing.T, pluginPath string) streamspacePlugin {
	t.Helper()
	so := sobuild.Build(t, sobuild.Options{Dir: "..", PluginPath: pluginPath})
	p, err := plugin.Open(so)
	require.NoError(t, err)
	sym, err := p.Lookup("Plugin")
	require.NoError(t, err)
	sp, ok := sym.(streamspacePlugin)
	require.True(t, ok, "Plugin is a %T", sym)
	return sp
}

// apiSessionRow is the API server's session row shape, declared by the host.
type apiSessionRow struct {
	ID           string `json:"id"`
	UserID       string `json:"user_id"`
	TemplateName string `json:"template_name"`
	Memory       string `json:"memory"`
	CPU          string `json:"cpu"`
	State        string `json:"state"`
}

// lockedBuffer collects the plugin's log lines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestHostDrivesPluginThroughPluginOpen(t *testing.T) {
	sp := openPlugin(t, "")
	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	defer srv.Close()

	require.ErrorContains(t, sp.OnSessionHibernated(map[string]any{"id": "early"}),
		"not loaded")

	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := map[string]any{ // as JSON decoding delivers it: numbers are float64
		"routingKey": routingKey, "eventsURL": srv.URL(), "rateLimit": float64(20),
		"notifyOnSessionCreated": true, "notifyOnUserCreated": true,
		"sessionHibernatedSeverity": "critical",
	}
	require.NoError(t, sp.OnLoad(cfg, logger))

	require.NoError(t, sp.OnSessionCreated(map[string]any{"id": "s-1", "user": "ann",
		"template": "firefox", "resources": map[string]any{"memory": "2Gi", "cpu": "1000m"}}))
	require.NoError(t, sp.OnSessionHibernated(&apiSessionRow{ID: "s-1", UserID: "ann",
		TemplateName: "firefox", Memory: "2Gi", CPU: "1000m", State: "hibernated"}))
	require.NoError(t, sp.OnUserCreated(map[string]any{"id": "u-1", "username": "ann",
		"email": "ann@example.com", "fullName": "Ann Lee", "tier": "pro"}))
	require.Error(t, sp.OnSessionHibernated(42))

	hooks, ok := sp.(lifecycleHooks)
	require.True(t, ok, "the plugin offers OnSessionWoken and OnSessionDeleted")
	require.NoError(t, hooks.OnSessionWoken(&apiSessionRow{ID: "s-1"}))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitFor(ctx, func(s pdreceiver.Snapshot) bool {
		return s.Accepted == 4
	}))
	require.NoError(t, sp.OnUnload())

	assert.Zero(t, srv.Snapshot().Rejected, "the strict receiver rejected an event")
	inc, found := srv.Incident("streamspace/session.hibernated/s-1")
	require.True(t, found)
	assert.Equal(t, pdreceiver.StatusResolved, inc.Status)
	assert.Equal(t, "critical", inc.Severity)
	_, found = srv.Incident("streamspace/user.created/u-1")
	assert.True(t, found)

	stats := sp.(statsReporter).Stats()
	assert.EqualValues(t, 4, stats["sent"])
	assert.EqualValues(t, 1, stats["invalid_input"])
	assert.NotEmpty(t, sp.(versioner).Version())
	assert.NotContains(t, logs.String(), routingKey)
	assert.Contains(t, logs.String(), `"dedup_key":"streamspace/session.hibernated/s-1"`)

	// After an unload the same symbol loads again.
	require.NoError(t, sp.OnLoad(cfg, nil))
	require.NoError(t, sp.OnUnload())
}

func TestHostOpensTwoBuildsOfThePlugin(t *testing.T) {
	first := openPlugin(t, "github.com/streamspace/streamspace-pagerduty/build-a")
	second := openPlugin(t, "github.com/streamspace/streamspace-pagerduty/build-b")
	assert.NotSame(t, first, second, "two builds are two plugins, each with its own state")

	srv, err := pdreceiver.Start("")
	require.NoError(t, err)
	defer srv.Close()
	cfg := map[string]any{"routingKey": routingKey, "eventsURL": srv.URL()}
	require.NoError(t, first.OnLoad(cfg, nil))
	require.NoError(t, second.OnLoad(cfg, nil), "the second build's state is its own")
	require.NoError(t, first.OnSessionHibernated(map[string]any{"id": "from-a"}))
	require.NoError(t, second.OnSessionHibernated(map[string]any{"id": "from-b"}))
	require.NoError(t, first.OnUnload())
	require.NoError(t, second.OnUnload())
	assert.Equal(t, 2, srv.Snapshot().Accepted)
}
