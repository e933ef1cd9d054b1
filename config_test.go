package main

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testKey is a distinctive routing key; tests that look for leaks search for it.
const testKey = "R0UT1NGKEYs3cr3tABCDEFGHIJKLMNOP"

// withKey returns a config map holding testKey and the given extra entries.
func withKey(kv ...any) map[string]any {
	m := map[string]any{"routingKey": testKey}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func TestParseConfigDefaults(t *testing.T) {
	c, unknown, err := ParseConfig(withKey())
	require.NoError(t, err)
	assert.Empty(t, unknown)
	assert.Equal(t, testKey, c.RoutingKey)
	assert.False(t, c.Notify[EventSessionCreated])
	assert.True(t, c.Notify[EventSessionHibernated])
	assert.False(t, c.Notify[EventUserCreated])
	assert.Equal(t, "info", c.Severity[EventSessionCreated])
	assert.Equal(t, "warning", c.Severity[EventSessionHibernated])
	assert.Equal(t, "info", c.Severity[EventUserCreated])
	assert.True(t, c.IncludeDetails)
	assert.False(t, c.AutoResolve)
	assert.Equal(t, 50, c.RateLimit)
	assert.Equal(t, DefaultEventsURL, c.EventsURL)
}

func TestParseConfigAcceptsEveryKey(t *testing.T) {
	c, unknown, err := ParseConfig(withKey(
		"notifyOnSessionCreated", true,
		"notifyOnSessionHibernated", false,
		"notifyOnUserCreated", true,
		"sessionCreatedSeverity", "critical",
		"sessionHibernatedSeverity", " Error ",
		"userCreatedSeverity", "warning",
		"includeDetails", false,
		"autoResolve", true,
		"rateLimit", float64(200),
		"eventsURL", "https://events.eu.pagerduty.com/v2/enqueue",
	))
	require.NoError(t, err)
	assert.Empty(t, unknown)
	assert.True(t, c.Notify[EventSessionCreated])
	assert.False(t, c.Notify[EventSessionHibernated])
	assert.True(t, c.Notify[EventUserCreated])
	assert.Equal(t, "critical", c.Severity[EventSessionCreated])
	assert.Equal(t, "error", c.Severity[EventSessionHibernated])
	assert.Equal(t, "warning", c.Severity[EventUserCreated])
	assert.False(t, c.IncludeDetails)
	assert.True(t, c.AutoResolve)
	assert.Equal(t, 200, c.RateLimit)
	assert.Equal(t, "https://events.eu.pagerduty.com/v2/enqueue", c.EventsURL)
}

func TestParseConfigRateLimitNumberTypes(t *testing.T) {
	for _, v := range []any{float64(7), 7, int64(7), int32(7), uint8(7), float32(7)} {
		c, _, err := ParseConfig(withKey("rateLimit", v))
		require.NoError(t, err, "%T", v)
		assert.Equal(t, 7, c.RateLimit, "%T", v)
	}
}

func TestParseConfigNullMeansDefault(t *testing.T) {
	c, _, err := ParseConfig(withKey("rateLimit", nil, "autoResolve", nil))
	require.NoError(t, err)
	assert.Equal(t, 50, c.RateLimit)
}

func TestParseConfigRejects(t *testing.T) {
	cases := []struct {
		name string
		cfg  map[string]any
		want []string // substrings of the error
	}{
		{"missing routing key", map[string]any{}, []string{"routingKey is required"}},
		{"null routing key", map[string]any{"routingKey": nil}, []string{"routingKey is required"}},
		{"31-character key", map[string]any{"routingKey": testKey[:31]},
			[]string{"routingKey", "exactly 32", "got 31 characters"}},
		{"33-character key", map[string]any{"routingKey": testKey + "Q"},
			[]string{"routingKey", "got 33 characters"}},
		{"key with a dash", map[string]any{"routingKey": testKey[:31] + "-"},
			[]string{"routingKey", "only letters and digits", "character 32"}},
		{"key as number", map[string]any{"routingKey": 12345.0},
			[]string{"routingKey", "string", "got a number"}},
		{"bool as string", withKey("autoResolve", "true"),
			[]string{"autoResolve", "true or false", `got "true"`}},
		{"bool as number", withKey("notifyOnUserCreated", 1.0),
			[]string{"notifyOnUserCreated", "true or false", "got 1"}},
		{"unknown severity", withKey("sessionHibernatedSeverity", "high"),
			[]string{"sessionHibernatedSeverity", "info, warning, error, critical", `"high"`}},
		{"severity as number", withKey("userCreatedSeverity", 3.0),
			[]string{"userCreatedSeverity", "one of"}},
		{"rate limit too high", withKey("rateLimit", 250.0),
			[]string{"rateLimit", "whole number", "1 to 200", "got 250"}},
		{"rate limit zero", withKey("rateLimit", 0), []string{"rateLimit", "got 0"}},
		{"rate limit fraction", withKey("rateLimit", 2.5), []string{"rateLimit", "got 2.5"}},
		{"rate limit string", withKey("rateLimit", "50"), []string{"rateLimit", `got "50"`}},
		{"rate limit negative", withKey("rateLimit", int64(-4)), []string{"rateLimit", "got -4"}},
		{"http to a remote host", withKey("eventsURL", "http://events.pagerduty.com/v2/enqueue"),
			[]string{"eventsURL", "loopback", "https"}},
		{"ftp", withKey("eventsURL", "ftp://127.0.0.1/x"), []string{"eventsURL", `scheme "ftp"`}},
		{"no host", withKey("eventsURL", "https:///v2/enqueue"), []string{"eventsURL", "https URL"}},
		{"relative", withKey("eventsURL", "/v2/enqueue"), []string{"eventsURL"}},
		{"garbage", withKey("eventsURL", "::not a url"), []string{"eventsURL"}},
		{"credentials", withKey("eventsURL", "https://u:p@example.com/v2/enqueue"),
			[]string{"eventsURL", "user name or password"}},
		{"url as list", withKey("eventsURL", []any{"x"}), []string{"eventsURL", "got a list"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseConfig(tc.cfg)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "config: "), err.Error())
			assert.NotContains(t, err.Error(), testKey[:20], "error echoes the routing key")
		})
	}
}

func TestParseConfigLoopbackHTTP(t *testing.T) {
	for _, u := range []string{
		"http://127.0.0.1:8080/v2/enqueue",
		"http://127.4.5.6/v2/enqueue",
		"http://[::1]:9000/v2/enqueue",
		"http://localhost:1234/v2/enqueue",
		"http://LOCALHOST/v2/enqueue",
	} {
		c, _, err := ParseConfig(withKey("eventsURL", u))
		require.NoError(t, err, u)
		assert.Equal(t, u, c.EventsURL)
	}
}

func TestParseConfigUnknownKeys(t *testing.T) {
	_, unknown, err := ParseConfig(withKey("rateLimt", 10.0, "zzz", true))
	require.NoError(t, err)
	assert.Equal(t, []string{"rateLimt", "zzz"}, unknown)
	assert.Equal(t, "rateLimit", suggestKey("rateLimt"))
	assert.Equal(t, "autoResolve", suggestKey("autoresolve"))
	assert.Equal(t, "", suggestKey("zzz"))
}

func TestConfigStringHidesRoutingKey(t *testing.T) {
	c, _, err := ParseConfig(withKey("notifyOnUserCreated", true))
	require.NoError(t, err)
	s := c.String()
	assert.NotContains(t, s, testKey)
	assert.Contains(t, s, "user.created(info)")
	assert.Contains(t, s, "session.hibernated(warning)")
}

// TestManifestMatchesConfig keeps manifest.json's configSchema and the keys the plugin
// parses in step, defaults included.
func TestManifestMatchesConfig(t *testing.T) {
	raw, err := os.ReadFile("manifest.json")
	require.NoError(t, err)
	var m struct {
		Name         string `json:"name"`
		Version      string `json:"version"`
		ConfigSchema struct {
			Properties map[string]struct {
				Type    string `json:"type"`
				Default any    `json:"default"`
				Enum    []any  `json:"enum"`
				Minimum *int   `json:"minimum"`
				Maximum *int   `json:"maximum"`
			} `json:"properties"`
			Required []string `json:"required"`
		} `json:"configSchema"`
		Events map[string]string `json:"events"`
	}
	require.NoError(t, json.Unmarshal(raw, &m))
	assert.Equal(t, "streamspace-pagerduty", m.Name)
	assert.Equal(t, pluginVersion(), m.Version)
	assert.Equal(t, []string{"routingKey"}, m.ConfigSchema.Required)

	var schemaKeys, codeKeys []string
	for k := range m.ConfigSchema.Properties {
		schemaKeys = append(schemaKeys, k)
	}
	for _, k := range configKeys {
		codeKeys = append(codeKeys, k.name)
	}
	sort.Strings(schemaKeys)
	sort.Strings(codeKeys)
	require.Equal(t, codeKeys, schemaKeys)

	// Every default in the schema is what ParseConfig picks for a missing key.
	defaults := withKey()
	for k, p := range m.ConfigSchema.Properties {
		if p.Default != nil {
			defaults[k] = p.Default
		}
	}
	fromSchema, _, err := ParseConfig(defaults)
	require.NoError(t, err)
	fromCode, _, err := ParseConfig(withKey())
	require.NoError(t, err)
	assert.Equal(t, fromCode, fromSchema)

	rl := m.ConfigSchema.Properties["rateLimit"]
	require.NotNil(t, rl.Minimum)
	require.NotNil(t, rl.Maximum)
	assert.Equal(t, minRateLimit, *rl.Minimum)
	assert.Equal(t, maxRateLimit, *rl.Maximum)
	for _, t2 := range eventTypes {
		assert.Contains(t, m.Events, string(t2))
	}
}

func TestParseConfigIncidentLifecycleKeys(t *testing.T) {
	c, _, err := ParseConfig(withKey())
	require.NoError(t, err)
	assert.True(t, c.ResolveOn[EventSessionWoken])
	assert.True(t, c.ResolveOn[EventSessionDeleted])
	assert.Equal(t, "us", c.Region)
	assert.Equal(t, "StreamSpace", c.Source)
	assert.Empty(t, c.StreamSpaceURL)

	c, _, err = ParseConfig(withKey("resolveOnSessionWoken", false,
		"resolveOnSessionDeleted", false, "source", " prod-eu-1 ",
		"streamspaceURL", "https://streamspace.example.com/"))
	require.NoError(t, err)
	assert.False(t, c.ResolveOn[EventSessionWoken])
	assert.False(t, c.ResolveOn[EventSessionDeleted])
	assert.Equal(t, "prod-eu-1", c.Source)
	assert.Equal(t, "https://streamspace.example.com", c.StreamSpaceURL)
}

func TestParseConfigRegion(t *testing.T) {
	const eu = "https://events.eu.pagerduty.com/v2/enqueue"
	cases := []struct {
		name    string
		kv      []any
		wantURL string
		wantErr []string
	}{
		{"default", nil, DefaultEventsURL, nil},
		{"eu", []any{"region", "eu"}, eu, nil},
		{"EU in capitals", []any{"region", "EU"}, eu, nil},
		{"us explicit", []any{"region", "us"}, DefaultEventsURL, nil},
		{"eventsURL alone wins", []any{"eventsURL", eu}, eu, nil},
		{"matching pair", []any{"region", "eu", "eventsURL", eu}, eu, nil},
		{"override with a local receiver", []any{"region", "eu",
			"eventsURL", "http://127.0.0.1:9/v2/enqueue"}, "http://127.0.0.1:9/v2/enqueue", nil},
		{"blank eventsURL is absent", []any{"region", "eu", "eventsURL", "  "}, eu, nil},
		{"conflict", []any{"region", "eu", "eventsURL", DefaultEventsURL}, "",
			[]string{`region "eu" conflicts with eventsURL`, "US endpoint", `"us"`}},
		{"other conflict", []any{"region", "us", "eventsURL", eu}, "",
			[]string{`region "us" conflicts`, "EU endpoint"}},
		{"unknown region", []any{"region", "apac"}, "",
			[]string{"region must be us or eu", `"apac"`}},
		{"region as bool", []any{"region", true}, "", []string{"region must be us or eu"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := ParseConfig(withKey(tc.kv...))
			if tc.wantErr != nil {
				require.Error(t, err)
				for _, w := range tc.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantURL, c.EventsURL)
		})
	}
}

func TestParseConfigRejectsBadLifecycleValues(t *testing.T) {
	cases := []struct {
		kv   []any
		want string
	}{
		{[]any{"resolveOnSessionWoken", "yes"}, "resolveOnSessionWoken must be true or false"},
		{[]any{"resolveOnSessionDeleted", 0.0}, "resolveOnSessionDeleted must be true or false"},
		{[]any{"source", strings.Repeat("x", 256)}, "source must be a name of 1 to 255"},
		{[]any{"source", 5.0}, "source must be a name"},
		{[]any{"streamspaceURL", "http://streamspace.example.com"}, "streamspaceURL must be"},
		{[]any{"streamspaceURL", "streamspace.example.com"}, "streamspaceURL must be"},
		{[]any{"streamspaceURL", "https://a@streamspace.example.com"}, "streamspaceURL must be"},
	}
	for _, tc := range cases {
		_, _, err := ParseConfig(withKey(tc.kv...))
		require.Error(t, err, "%v", tc.kv)
		assert.Contains(t, err.Error(), tc.want)
	}
}
