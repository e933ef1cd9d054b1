package main

import (
	"container/list"
	"crypto/sha256"
	"sync"
)

// maxOpenIncidents bounds how many hibernation incidents the plugin remembers having
// opened. Past it, the oldest is forgotten: its session's wake or deletion then sends no
// resolve, and the incident waits for a person, as it would without the plugin.
const maxOpenIncidents = 10_000

// openIncidents remembers the dedup keys of the hibernation incidents this plugin
// triggered and has not yet resolved, so that a session waking or being deleted resolves
// only what the plugin itself opened. It lives on the plugin rather than on one load, so a
// reload with the same routing key and endpoint keeps it; a different key or endpoint
// starts it afresh. It is lost when the host process exits.
//
// TODO: keep the set across API server restarts; the plugin has no storage of its own yet.
type openIncidents struct {
	mu      sync.Mutex
	owner   [sha256.Size]byte // hash of the routing key and endpoint the keys belong to
	order   *list.List        // dedup keys, oldest first
	index   map[string]*list.Element
	evicted int64
	// accepted holds the open keys for which PagerDuty accepted a trigger: their incident
	// is open even if a later trigger for the same key is given up.
	accepted map[string]bool
}

// ownerOf identifies the PagerDuty service incidents were sent to, without keeping the
// routing key itself.
func ownerOf(cfg Config) [sha256.Size]byte {
	return sha256.Sum256([]byte(cfg.RoutingKey + "\x00" + cfg.EventsURL))
}

// adopt prepares the set for a load with cfg, forgetting keys that belong to another
// service.
func (o *openIncidents) adopt(cfg Config) {
	o.mu.Lock()
	defer o.mu.Unlock()
	owner := ownerOf(cfg)
	if o.order == nil || o.owner != owner {
		o.owner = owner
		o.order = list.New()
		o.index = make(map[string]*list.Element)
		o.accepted = make(map[string]bool)
	}
}

// add records that a trigger for key was queued. It reports whether an older key had to
// be forgotten to make room.
func (o *openIncidents) add(key string) (evicted bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if e, ok := o.index[key]; ok {
		o.order.MoveToBack(e)
		return false
	}
	o.index[key] = o.order.PushBack(key)
	if o.order.Len() <= maxOpenIncidents {
		return false
	}
	oldest := o.order.Front()
	o.order.Remove(oldest)
	delete(o.index, oldest.Value.(string))
	delete(o.accepted, oldest.Value.(string))
	o.evicted++
	return true
}

// take removes key and reports whether it was there: whether this plugin opened that
// incident and has not resolved it yet.
func (o *openIncidents) take(key string) bool {
	found, _ := o.takeOpened(key)
	return found
}

// takeOpened is take that also reports whether PagerDuty accepted a trigger for key.
func (o *openIncidents) takeOpened(key string) (found, accepted bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, found := o.index[key]
	if found {
		o.order.Remove(e)
		delete(o.index, key)
	}
	accepted = o.accepted[key]
	delete(o.accepted, key)
	return found, accepted
}

// accept records that PagerDuty accepted a trigger for key, if key is open.
func (o *openIncidents) accept(key string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.index[key]; ok {
		o.accepted[key] = true
	}
}

// lose forgets key after a trigger for it was given up, unless PagerDuty accepted an
// earlier one: then the incident is open all the same.
func (o *openIncidents) lose(key string) {
	o.mu.Lock()
	accepted := o.accepted[key]
	o.mu.Unlock()
	if !accepted {
		o.take(key)
	}
}

// len returns how many incidents are remembered as open.
func (o *openIncidents) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.order == nil {
		return 0
	}
	return o.order.Len()
}
