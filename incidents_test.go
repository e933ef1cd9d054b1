package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenIncidentsBounded(t *testing.T) {
	var o openIncidents
	cfg, _, err := ParseConfig(withKey())
	require.NoError(t, err)
	o.adopt(cfg)

	evictions := 0
	for i := 0; i < maxOpenIncidents+5; i++ {
		if o.add(fmt.Sprintf("k%d", i)) {
			evictions++
		}
	}
	assert.Equal(t, 5, evictions)
	assert.Equal(t, maxOpenIncidents, o.len())
	assert.False(t, o.take("k0"), "the oldest were forgotten")
	assert.True(t, o.take("k5"))
	assert.False(t, o.take("k5"), "taking is once only")

	// Re-adding an existing key refreshes it instead of growing the set.
	assert.False(t, o.add("k6"))
	assert.Equal(t, maxOpenIncidents-1, o.len())
}

func TestOpenIncidentsFollowTheService(t *testing.T) {
	var o openIncidents
	cfg, _, err := ParseConfig(withKey())
	require.NoError(t, err)
	o.adopt(cfg)
	o.add("k")

	o.adopt(cfg) // a reload with the same key and endpoint keeps the set
	assert.Equal(t, 1, o.len())

	other, _, err := ParseConfig(withKey("region", "eu"))
	require.NoError(t, err)
	o.adopt(other) // another endpoint: the old incidents are not its to resolve
	assert.Zero(t, o.len())
}

func TestDedupKeyNamespacedBySource(t *testing.T) {
	assert.Equal(t, "streamspace/prod-eu/session.hibernated/s-1",
		dedupKey("prod-eu", EventSessionHibernated, "s-1"))
	long := dedupKey(string(make([]byte, 300)), EventSessionHibernated, "s-1")
	assert.LessOrEqual(t, len(long), maxDedupKeyLen)
	assert.Contains(t, long, "streamspace/sha256:")
}
