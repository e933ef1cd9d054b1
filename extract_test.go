package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// apiSession mirrors the API server's session row: JSON tags, flat resources.
type apiSession struct {
	ID           string `json:"id"`
	UserID       string `json:"user_id"`
	TemplateName string `json:"template_name"`
	Memory       string `json:"memory"`
	CPU          string `json:"cpu"`
	State        string `json:"state"`
}

// crResources and crSession mirror the custom-resource session: no tags, nested resources.
type crResources struct {
	Memory string
	CPU    string
}

type crSession struct {
	Name      string
	User      string
	Template  string
	Resources crResources
}

// objectMeta, k8sSpec and k8sSession mirror a Kubernetes-style object with embedded
// metadata and a spec.
type objectMeta struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type k8sSpec struct {
	User      string `json:"user"`
	Template  string `json:"template"`
	Resources struct {
		Limits map[string]string `json:"limits"`
	} `json:"resources"`
}

type k8sSession struct {
	objectMeta `json:"metadata"`
	Spec       k8sSpec `json:"spec"`
	Status     struct {
		Phase string `json:"phase"`
	} `json:"status"`
}

// quantity describes itself with a String method, like a Kubernetes resource quantity.
type quantity struct{ v string }

func (q *quantity) String() string { return q.v }

type withQuantity struct {
	ID     string
	Memory quantity
}

type panicky struct{}

func (panicky) String() string { panic("boom") }

type hostile struct {
	ID     string
	Ch     chan int
	Fn     func()
	Self   *hostile
	Memory panicky
}

func TestReadSessionShapes(t *testing.T) {
	full := sessionInfo{ID: "john-firefox-abc123", User: "john@example.com",
		Template: "firefox", Memory: "2Gi", CPU: "1000m"}
	cases := []struct {
		name string
		in   any
		want sessionInfo
	}{
		{"map", map[string]any{"id": "john-firefox-abc123", "user": "john@example.com",
			"template": "firefox", "resources": map[string]any{"memory": "2Gi", "cpu": "1000m"}},
			full},
		{"map with odd key case", map[string]any{"ID": "john-firefox-abc123",
			"User": "john@example.com", "Template_Name": "firefox",
			"Resources": map[string]string{"Memory": "2Gi", "CPU": "1000m"}}, full},
		{"pointer to tagged row", &apiSession{ID: "john-firefox-abc123",
			UserID: "john@example.com", TemplateName: "firefox", Memory: "2Gi", CPU: "1000m",
			State: "hibernated"},
			sessionInfo{ID: "john-firefox-abc123", User: "john@example.com",
				Template: "firefox", Memory: "2Gi", CPU: "1000m", State: "hibernated"}},
		{"untagged custom resource", crSession{Name: "john-firefox-abc123",
			User: "john@example.com", Template: "firefox",
			Resources: crResources{Memory: "2Gi", CPU: "1000m"}}, full},
		{"pointer to pointer", ptr(&crSession{Name: "john-firefox-abc123",
			User: "john@example.com", Template: "firefox",
			Resources: crResources{Memory: "2Gi", CPU: "1000m"}}), full},
		{"kubernetes object", func() any {
			s := &k8sSession{objectMeta: objectMeta{Name: "john-firefox-abc123"},
				Spec: k8sSpec{User: "john@example.com", Template: "firefox"}}
			s.Spec.Resources.Limits = map[string]string{"memory": "2Gi", "cpu": "1000m"}
			s.Status.Phase = "Running"
			return s
		}(), sessionInfo{ID: "john-firefox-abc123", User: "john@example.com",
			Template: "firefox", Memory: "2Gi", CPU: "1000m", State: "Running"}},
		{"nested user and template objects", map[string]any{"id": "s1",
			"user":     map[string]any{"username": "ann", "email": "ann@example.com"},
			"template": map[string]any{"name": "vscode"}, "memory": 4096, "cpu": 1.5},
			sessionInfo{ID: "s1", User: "ann", Template: "vscode", Memory: "4096", CPU: "1.5"}},
		{"stringer quantity", &withQuantity{ID: "s2", Memory: quantity{"512Mi"}},
			sessionInfo{ID: "s2", Memory: "512Mi"}},
		{"empty map", map[string]any{}, sessionInfo{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := asRecord("session", tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, readSession(rec))
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestReadUserShapes(t *testing.T) {
	type apiUser struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Email    string `json:"email"`
		FullName string `json:"full_name"`
		Tier     string `json:"tier"`
	}
	want := userInfo{ID: "u-1", Username: "john", Email: "john@example.com",
		FullName: "John Smith", Tier: "pro"}
	for name, in := range map[string]any{
		"map": map[string]any{"id": "u-1", "username": "john", "email": "john@example.com",
			"fullName": "John Smith", "tier": "pro"},
		"tagged struct": &apiUser{ID: "u-1", Username: "john", Email: "john@example.com",
			FullName: "John Smith", Tier: "pro"},
	} {
		t.Run(name, func(t *testing.T) {
			rec, err := asRecord("user", in)
			require.NoError(t, err)
			assert.Equal(t, want, readUser(rec))
		})
	}
}

func TestAsRecordRejects(t *testing.T) {
	var nilMap map[string]any
	var nilPtr *apiSession
	self := new(any)
	*self = self
	cases := []struct {
		in   any
		want string
	}{
		{nil, "got nil"},
		{42, "got int"},
		{3.5, "got float64"},
		{"john-firefox", "got string"},
		{[]any{1}, "got []interface {}"},
		{nilMap, "got a nil map"},
		{nilPtr, "got a nil *main.apiSession"},
		{map[int]string{1: "x"}, "got map[int]string"},
		{self, "got *interface {}"},
	}
	for _, tc := range cases {
		_, err := asRecord("session", tc.in)
		require.Error(t, err, "%#v", tc.in)
		assert.Contains(t, err.Error(), "session must be a map with string keys or a struct")
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestReadSessionHostileValues(t *testing.T) {
	h := &hostile{ID: "s-9", Ch: make(chan int), Fn: func() {}}
	h.Self = h
	rec, err := asRecord("session", h)
	require.NoError(t, err)
	got := readSession(rec)
	assert.Equal(t, "s-9", got.ID)
	assert.Equal(t, "", got.Memory, "a panicking String method yields nothing")

	cyclic := map[string]any{"id": "s-10"}
	cyclic["spec"] = cyclic
	cyclic["resources"] = cyclic
	rec, err = asRecord("session", cyclic)
	require.NoError(t, err)
	assert.Equal(t, "s-10", readSession(rec).ID)
}

func TestCleanText(t *testing.T) {
	assert.Equal(t, "a\uFFFDb", cleanText("  a\xffb "))
	long := strings.Repeat("é", maxFieldRunes+10)
	got := cleanText(long)
	assert.True(t, utf8.ValidString(got))
	assert.Equal(t, maxFieldRunes, utf8.RuneCountInString(got))
	assert.True(t, strings.HasSuffix(got, truncationMark))
	exact := strings.Repeat("é", maxFieldRunes)
	assert.Equal(t, exact, cleanText(exact))
}

func TestSameName(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"template_name", "templateName", true},
		{"TEMPLATE-NAME", "templatename", true},
		{"id", "ID", true},
		{"ids", "id", false},
		{"_", "", true},
		{"user", "userId", false},
	} {
		assert.Equal(t, c.want, sameName(c.a, c.b), "%q vs %q", c.a, c.b)
	}
}

func TestExactKeyWinsOverLooseMatch(t *testing.T) {
	rec, err := asRecord("session", map[string]any{"ID": "loose", "id": "exact",
		"Template_Name": "loose-template", "template": "exact-template"})
	require.NoError(t, err)
	got := readSession(rec)
	assert.Equal(t, "exact", got.ID)
	assert.Equal(t, "exact-template", got.Template)

	// A loose match still beats a later name: "sessionId" ranks above "name".
	rec, err = asRecord("session", map[string]any{"SESSION_ID": "by-id", "Name": "by-name"})
	require.NoError(t, err)
	assert.Equal(t, "by-id", readSession(rec).ID)
}
