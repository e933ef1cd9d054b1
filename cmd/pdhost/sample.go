package main

import "fmt"

// sampleEvent is one StreamSpace event the demo feeds to the plugin.
type sampleEvent struct {
	// Type is the event type, such as session.hibernated.
	Type string
	// ID is the session or user ID the plugin keys the alert on; the prediction uses it.
	ID string
	// Data is the hook's argument, in one of the shapes StreamSpace passes.
	Data any
	// Note says what the event shows.
	Note string
}

// sessionRow mirrors a row of the API server's sessions table, which its HTTP handlers
// pass to hooks as a pointer.
type sessionRow struct {
	ID           string `json:"id"`
	UserID       string `json:"user_id"`
	TemplateName string `json:"template_name"`
	Memory       string `json:"memory"`
	CPU          string `json:"cpu"`
	State        string `json:"state"`
}

// sessionMap is a session as the session controller passes it: a map with the resources
// nested.
func sessionMap(id, user, template, memory, cpu string) map[string]any {
	return map[string]any{
		"id":        id,
		"user":      user,
		"template":  template,
		"resources": map[string]any{"memory": memory, "cpu": cpu},
	}
}

// userMap is a new user as the user handlers pass it.
func userMap(id, username, email, fullName, tier string) map[string]any {
	return map[string]any{
		"id": id, "username": username, "email": email, "fullName": fullName, "tier": tier,
	}
}

// demoSample returns the events the demo feeds, in order: sessions created and
// hibernated in both shapes, a new user, a hibernation reported twice, a session woken
// (skipped by plugins without OnSessionWoken), a classroom burst of burst new sessions,
// which the demo sizes to overrun the rate limit, and one of them deleted.
func demoSample(burst int) []sampleEvent {
	bob := func(state string) *sessionRow {
		return &sessionRow{ID: "bob-c41", UserID: "bob@example.com",
			TemplateName: "vscode", Memory: "4Gi", CPU: "2000m", State: state}
	}
	events := []sampleEvent{
		{typeSessionCreated, "alice-7f3",
			sessionMap("alice-7f3", "alice@example.com", "firefox", "2Gi", "1000m"),
			"map, as the session controller passes it"},
		{typeSessionCreated, "bob-c41", bob("running"),
			"*struct with json tags, as the API's session row"},
		{typeUserCreated, "u-carol",
			userMap("u-carol", "carol", "carol@example.com", "Carol Diaz", "pro"),
			"user map"},
		{typeSessionHibernated, "alice-7f3",
			sessionMap("alice-7f3", "alice@example.com", "firefox", "2Gi", "1000m"),
			"idle, hibernated"},
		{typeSessionHibernated, "bob-c41", bob("hibernated"), "idle, hibernated"},
		{typeSessionHibernated, "alice-7f3",
			sessionMap("alice-7f3", "alice@example.com", "firefox", "2Gi", "1000m"),
			"the same hibernation reported again: same dedup key"},
		{typeSessionWoken, "bob-c41", bob("running"),
			"woken: resolves its hibernation incident"},
	}
	for i := 1; i <= burst; i++ {
		id := fmt.Sprintf("lab-%02d", i)
		user := fmt.Sprintf("student%02d@school.example", i)
		events = append(events, sampleEvent{typeSessionCreated, id,
			sessionMap(id, user, "jupyter", "1Gi", "500m"), "classroom burst"})
	}
	return append(events, sampleEvent{typeSessionDeleted, "lab-01",
		sessionMap("lab-01", "student01@school.example", "jupyter", "1Gi", "500m"),
		"deleted, never hibernated: nothing to resolve"})
}
