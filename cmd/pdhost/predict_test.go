package main

import (
	"testing"

	"github.com/streamspace/streamspace-pagerduty/pdreceiver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ev is a sample event with no data, enough for the prediction.
func ev(t, id string) sampleEvent { return sampleEvent{Type: t, ID: id} }

// allHooks is a hasHook for a plugin with every hook.
func allHooks(string) bool { return true }

func TestPredictFollowsTheConfig(t *testing.T) {
	hib := func(id string) string { return "streamspace/session.hibernated/" + id }
	tests := []struct {
		name    string
		cfg     map[string]any
		sample  []sampleEvent
		hasHook func(string) bool
		want    prediction // only the totals are compared
		states  map[string]pdreceiver.Status
		events  map[string]int
	}{
		{
			name: "defaults alert on hibernation only",
			cfg:  map[string]any{},
			sample: []sampleEvent{ev(typeSessionCreated, "a"), ev(typeUserCreated, "u"),
				ev(typeSessionHibernated, "a")},
			want:   prediction{triggers: 1, silent: 2},
			states: map[string]pdreceiver.Status{hib("a"): pdreceiver.StatusTriggered},
		},
		{
			name: "the budget is the rate limit and resolves cost nothing",
			cfg:  map[string]any{"rateLimit": 2.0},
			sample: []sampleEvent{ev(typeSessionHibernated, "a"),
				ev(typeSessionWoken, "a"), ev(typeSessionHibernated, "b"),
				ev(typeSessionHibernated, "c"), ev(typeSessionHibernated, "d")},
			want: prediction{triggers: 2, resolves: 1, rateLimited: 2},
			states: map[string]pdreceiver.Status{hib("a"): pdreceiver.StatusResolved,
				hib("b"): pdreceiver.StatusTriggered},
		},
		{
			name: "a repeat joins the open incident and a trigger after a resolve reopens it",
			cfg:  map[string]any{},
			sample: []sampleEvent{ev(typeSessionHibernated, "a"),
				ev(typeSessionHibernated, "a"), ev(typeSessionWoken, "a"),
				ev(typeSessionHibernated, "a")},
			want:   prediction{triggers: 3, resolves: 1},
			states: map[string]pdreceiver.Status{hib("a"): pdreceiver.StatusTriggered},
			events: map[string]int{hib("a"): 4},
		},
		{
			name: "only incidents the plugin opened are resolved",
			cfg:  map[string]any{"notifyOnSessionCreated": true},
			sample: []sampleEvent{ev(typeSessionCreated, "a"), ev(typeSessionDeleted, "a"),
				ev(typeSessionHibernated, "b"), ev(typeSessionDeleted, "b"),
				ev(typeSessionWoken, "b")},
			want: prediction{triggers: 2, resolves: 1, silent: 2},
			states: map[string]pdreceiver.Status{hib("b"): pdreceiver.StatusResolved,
				"streamspace/session.created/a": pdreceiver.StatusTriggered},
		},
		{
			name: "resolveOnSessionWoken off leaves the incident open",
			cfg:  map[string]any{"resolveOnSessionWoken": false},
			sample: []sampleEvent{ev(typeSessionHibernated, "a"), ev(typeSessionWoken, "a"),
				ev(typeSessionDeleted, "a")},
			want:   prediction{triggers: 1, resolves: 1, silent: 1},
			states: map[string]pdreceiver.Status{hib("a"): pdreceiver.StatusResolved},
		},
		{
			name: "autoResolve resolves each trigger and wake sends nothing more",
			cfg:  map[string]any{"autoResolve": true},
			sample: []sampleEvent{ev(typeSessionHibernated, "a"),
				ev(typeSessionWoken, "a")},
			want:   prediction{triggers: 1, resolves: 1, silent: 1},
			states: map[string]pdreceiver.Status{hib("a"): pdreceiver.StatusResolved},
		},
		{
			name:    "events without a hook are skipped",
			cfg:     map[string]any{},
			sample:  []sampleEvent{ev(typeSessionHibernated, "a"), ev(typeSessionWoken, "a")},
			hasHook: func(t string) bool { return !isResolveType(t) },
			want:    prediction{triggers: 1, noHook: 1},
			states:  map[string]pdreceiver.Status{hib("a"): pdreceiver.StatusTriggered},
		},
		{
			name:   "a custom source namespaces the dedup keys",
			cfg:    map[string]any{"source": "eu-cluster"},
			sample: []sampleEvent{ev(typeSessionHibernated, "a")},
			want:   prediction{triggers: 1},
			states: map[string]pdreceiver.Status{
				"streamspace/eu-cluster/session.hibernated/a": pdreceiver.StatusTriggered},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := readModelConfig(tt.cfg)
			require.NoError(t, err)
			hasHook := tt.hasHook
			if hasHook == nil {
				hasHook = allHooks
			}
			p := predict(tt.sample, m, hasHook)
			assert.Equal(t, tt.want.triggers, p.triggers, "triggers")
			assert.Equal(t, tt.want.resolves, p.resolves, "resolves")
			assert.Equal(t, tt.want.rateLimited, p.rateLimited, "rate limited")
			assert.Equal(t, tt.want.silent, p.silent, "silent")
			assert.Equal(t, tt.want.noHook, p.noHook, "no hook")
			states := map[string]pdreceiver.Status{}
			for _, inc := range p.incidents {
				states[inc.key] = inc.status
				if n, ok := tt.events[inc.key]; ok {
					assert.Equal(t, n, inc.events, "events of %s", inc.key)
				}
			}
			assert.Equal(t, tt.states, states)
		})
	}
}

func TestPredictTheDemoSample(t *testing.T) {
	m, err := readModelConfig(demoConfig("http://127.0.0.1:1/v2/enqueue"))
	require.NoError(t, err)
	p := predict(demoSample(demoBurst), m, allHooks)
	assert.Equal(t, demoRateLimit, p.triggers, "the burst must use up the whole budget")
	assert.Equal(t, 3, p.rateLimited)
	assert.Equal(t, 1, p.resolves)
	inc := p.byKey["streamspace/session.hibernated/alice-7f3"]
	require.NotNil(t, inc)
	assert.Equal(t, 2, inc.triggers, "the repeated hibernation joins one incident")
	assert.Equal(t, int64(1), p.counters()["open_incidents"])
}

func TestReadModelConfigRejectsWrongTypes(t *testing.T) {
	tests := []struct {
		name string
		cfg  map[string]any
		want string
	}{
		{"notify", map[string]any{"notifyOnUserCreated": "yes"},
			"notifyOnUserCreated must be true or false"},
		{"severity", map[string]any{"userCreatedSeverity": 3.0},
			"userCreatedSeverity must be a string"},
		{"rate limit", map[string]any{"rateLimit": 2.5}, "rateLimit must be a whole number"},
		{"resolve", map[string]any{"resolveOnSessionWoken": 1.0},
			"resolveOnSessionWoken must be true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readModelConfig(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
