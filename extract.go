package main

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// StreamSpace hands hooks an interface{} whose shape depends on the code path: a
// map[string]any from the REST layer, a pointer to a database row struct with JSON tags,
// or a custom-resource struct without tags. This file reads the few fields an alert needs
// from any of them, by name, with no assumption about the concrete type.

// Limits that keep reading hostile values cheap and bounded.
const (
	maxDerefs      = 8    // pointers and interfaces followed to reach a value
	maxMapScan     = 1024 // map entries compared against the wanted names
	maxFieldRunes  = 1024 // characters kept of any one extracted value
	truncationMark = "…"
)

// sessionInfo is what an alert says about a session.
type sessionInfo struct {
	ID, User, Template, Memory, CPU, State string
}

// userInfo is what an alert says about a user.
type userInfo struct {
	ID, Username, Email, FullName, Tier string
}

// Names each field may go by. Matching ignores case, '_' and '-', so "templateName",
// "template_name" and "TemplateName" are one name.
var (
	sessionIDNames  = []string{"id", "sessionId", "name", "sessionName"}
	sessionUser     = []string{"user", "userId", "username", "owner"}
	sessionTemplate = []string{"template", "templateName", "templateId"}
	memoryNames     = []string{"memory", "mem"}
	cpuNames        = []string{"cpu"}
	stateNames      = []string{"state", "phase", "status"}
	resourcesNames  = []string{"resources"}
	limitsNames     = []string{"limits"}
	nestedNames     = []string{"spec", "metadata", "status"}

	userIDNames       = []string{"id", "userId", "uid"}
	userUsernameNames = []string{"username", "login", "user"}
	userEmailNames    = []string{"email", "mail"}
	userFullNameNames = []string{"fullName", "displayName", "name"}
	userTierNames     = []string{"tier", "plan"}
	// Names under which a user object may sit inside a session.
	userRefNames = []string{"username", "email", "id", "name"}
	// Names under which a template object gives its name.
	templateRefNames = []string{"name", "id", "displayName"}
)

// record gives uniform read access to a map with string keys or a struct.
type record struct {
	m  map[string]any // fast path for the common JSON-decoded map
	rv reflect.Value  // a struct or a map with string keys, when m is nil
}

// inputError reports an event value the plugin cannot read, naming the hook argument.
type inputError struct {
	arg string
	got string
}

// Error implements error.
func (e *inputError) Error() string {
	return fmt.Sprintf("pagerduty: %s must be a map with string keys or a struct "+
		"(or a pointer to one), got %s", e.arg, e.got)
}

// asRecord turns a hook argument into a record, or explains why it cannot.
func asRecord(arg string, v any) (record, error) {
	if m, ok := v.(map[string]any); ok {
		if m == nil {
			return record{}, &inputError{arg, "a nil map"}
		}
		return record{m: m}, nil
	}
	if v == nil {
		return record{}, &inputError{arg, "nil"}
	}
	rv, ok := deref(reflect.ValueOf(v))
	if ok {
		if r, ok := recordOf(rv); ok {
			return r, nil
		}
	}
	if top := reflect.ValueOf(v); top.Kind() == reflect.Pointer && top.IsNil() {
		return record{}, &inputError{arg, fmt.Sprintf("a nil %T", v)}
	}
	if !ok {
		return record{}, &inputError{arg, fmt.Sprintf("%T that is nil, cyclic or more "+
			"than %d pointers deep", v, maxDerefs)}
	}
	return record{}, &inputError{arg, fmt.Sprintf("%T", v)}
}

// deref follows pointers and interfaces, at most maxDerefs of them, so a value that
// points to itself cannot loop. It reports false for nil or too deep a chain.
func deref(rv reflect.Value) (reflect.Value, bool) {
	for i := 0; i < maxDerefs; i++ {
		switch rv.Kind() {
		case reflect.Pointer, reflect.Interface:
			if rv.IsNil() {
				return reflect.Value{}, false
			}
			rv = rv.Elem()
		case reflect.Invalid:
			return rv, false
		default:
			return rv, true
		}
	}
	return reflect.Value{}, false
}

// recordOf wraps a dereferenced struct or string-keyed map.
func recordOf(rv reflect.Value) (record, bool) {
	switch rv.Kind() {
	case reflect.Struct:
		return record{rv: rv}, true
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String || rv.IsNil() {
			return record{}, false
		}
		if m, ok := rv.Interface().(map[string]any); ok {
			return record{m: m}, true
		}
		return record{rv: rv}, true
	}
	return record{}, false
}

// maxNames bounds the names one lookup may try; every list in this file is shorter.
const maxNames = 8

// each calls fn with the values stored under names, best match first, until fn returns
// true. For a map[string]any, keys equal to a name come first, in the order of names,
// then keys that match a name only loosely (see sameName), in the same order; the map is
// scanned at most once. For other records, names are tried in order.
func (r record) each(names []string, fn func(reflect.Value) bool) {
	if r.m == nil {
		for _, name := range names {
			if v, ok := r.field(name); ok && fn(v) {
				return
			}
		}
		return
	}
	for _, name := range names {
		if v, ok := r.m[name]; ok && v != nil && fn(reflect.ValueOf(v)) {
			return
		}
	}
	names = names[:min(len(names), maxNames)]
	var loose [maxNames]reflect.Value
	n := 0
	for k, v := range r.m {
		if n++; n > maxMapScan {
			break
		}
		if v == nil {
			continue
		}
		for i, name := range names {
			if !loose[i].IsValid() && k != name && sameName(k, name) {
				loose[i] = reflect.ValueOf(v)
			}
		}
	}
	for _, v := range loose[:len(names)] {
		if v.IsValid() && fn(v) {
			return
		}
	}
}

// field returns the value a struct or a reflected map stores under name, matched
// loosely (see sameName).
func (r record) field(name string) (reflect.Value, bool) {
	switch r.rv.Kind() {
	case reflect.Map:
		iter := r.rv.MapRange()
		for n := 0; iter.Next() && n < maxMapScan; n++ {
			if sameName(iter.Key().String(), name) {
				return iter.Value(), true
			}
		}
	case reflect.Struct:
		for _, f := range structFields(r.rv.Type()) {
			if f.matches(name) {
				if fv, ok := fieldByIndex(r.rv, f.index); ok {
					return fv, true
				}
			}
		}
	}
	return reflect.Value{}, false
}

// str returns the first non-empty scalar stored under one of names, as text.
func (r record) str(names []string) string {
	var out string
	r.each(names, func(v reflect.Value) bool {
		s, ok := scalarText(v)
		out = s
		return ok && s != ""
	})
	return out
}

// sub returns the nested record stored under the first of names that holds one.
func (r record) sub(names []string) (record, bool) {
	var out record
	found := false
	r.each(names, func(v reflect.Value) bool {
		if dv, ok := deref(v); ok {
			out, found = recordOf(dv)
		}
		return found
	})
	return out, found
}

// scopes are the records a field may sit in: the event itself, then a custom resource's
// spec, metadata and status, when it has them. They are found once per event.
type scopes struct {
	list [4]record
	n    int
}

// scopesOf returns r and its nested spec, metadata and status records.
func scopesOf(r record) scopes {
	sc := scopes{n: 1}
	sc.list[0] = r
	for _, name := range nestedNames {
		if nested, ok := r.sub([]string{name}); ok {
			sc.list[sc.n] = nested
			sc.n++
		}
	}
	return sc
}

// all returns the scopes in order.
func (sc *scopes) all() []record { return sc.list[:sc.n] }

// str returns the first non-empty scalar stored under one of names in any scope.
func (sc *scopes) str(names []string) string {
	for _, r := range sc.all() {
		if s := r.str(names); s != "" {
			return s
		}
	}
	return ""
}

// ref reads a field that may hold either a scalar or an object; for an object it returns
// the first of inner that the object holds.
func (sc *scopes) ref(names, inner []string) string {
	if s := sc.str(names); s != "" {
		return s
	}
	for _, r := range sc.all() {
		if obj, ok := r.sub(names); ok {
			if s := obj.str(inner); s != "" {
				return s
			}
		}
	}
	return ""
}

// resource reads a quantity such as memory or CPU from a scope itself, from its
// "resources" object, or from "resources.limits" as Kubernetes writes them.
func (sc *scopes) resource(names []string) string {
	if s := sc.str(names); s != "" {
		return s
	}
	for _, r := range sc.all() {
		res, ok := r.sub(resourcesNames)
		if !ok {
			continue
		}
		if s := res.str(names); s != "" {
			return s
		}
		if lim, ok := res.sub(limitsNames); ok {
			if s := lim.str(names); s != "" {
				return s
			}
		}
	}
	return ""
}

// readSession extracts the alert fields of a session.
func readSession(r record) sessionInfo {
	sc := scopesOf(r)
	return sessionInfo{
		ID:       sc.str(sessionIDNames),
		User:     sc.ref(sessionUser, userRefNames),
		Template: sc.ref(sessionTemplate, templateRefNames),
		Memory:   sc.resource(memoryNames),
		CPU:      sc.resource(cpuNames),
		State:    sc.str(stateNames),
	}
}

// readUser extracts the alert fields of a user.
func readUser(r record) userInfo {
	sc := scopesOf(r)
	return userInfo{
		ID:       sc.str(userIDNames),
		Username: sc.str(userUsernameNames),
		Email:    sc.str(userEmailNames),
		FullName: sc.str(userFullNameNames),
		Tier:     sc.str(userTierNames),
	}
}

// scalarText renders a string, number or boolean (behind any pointers) as clean text:
// valid UTF-8, at most maxFieldRunes characters. Other kinds are not fields an alert
// shows, except values that describe themselves with a String method.
func scalarText(v reflect.Value) (string, bool) {
	v, ok := deref(v)
	if !ok {
		return "", false
	}
	switch v.Kind() {
	case reflect.String:
		return cleanText(v.String()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10), true
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64), true
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), true
	case reflect.Struct:
		return stringerText(v)
	}
	return "", false
}

// stringerText renders a struct that has a String method, such as a Kubernetes resource
// quantity. A String method that panics yields nothing rather than taking the hook down.
func stringerText(v reflect.Value) (s string, ok bool) {
	defer func() {
		if recover() != nil {
			s, ok = "", false
		}
	}()
	if v.CanInterface() {
		if st, isStringer := v.Interface().(fmt.Stringer); isStringer {
			return cleanText(st.String()), true
		}
	}
	if v.CanAddr() && v.Addr().CanInterface() {
		if st, isStringer := v.Addr().Interface().(fmt.Stringer); isStringer {
			return cleanText(st.String()), true
		}
	}
	return "", false
}

// cleanText trims s, replaces invalid UTF-8 and cuts it to maxFieldRunes characters.
func cleanText(s string) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return truncateRunes(s, maxFieldRunes)
}

// truncateRunes cuts s to at most n characters on a rune boundary, marking the cut with
// an ellipsis that counts towards n.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n-1 {
			if utf8.RuneCountInString(s[i:]) <= 1 {
				return s
			}
			return s[:i] + truncationMark
		}
		count++
	}
	return s
}

// sameName compares two field names ignoring ASCII case, '_' and '-'.
func sameName(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && (a[i] == '_' || a[i] == '-') {
			i++
		}
		for j < len(b) && (b[j] == '_' || b[j] == '-') {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if lowerASCII(a[i]) != lowerASCII(b[j]) {
			return false
		}
		i++
		j++
	}
}

// lowerASCII lower-cases an ASCII letter and leaves any other byte alone.
func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// structField is one readable field of a struct type, with the names it answers to.
type structField struct {
	goName  string
	tagName string
	index   []int
}

// matches reports whether the field answers to name.
func (f structField) matches(name string) bool {
	return (f.tagName != "" && sameName(f.tagName, name)) || sameName(f.goName, name)
}

// fieldCache maps a struct type to its readable fields, so reflection over a type's
// fields and tags happens once per type.
// It is a pointer, so the map itself lives on the heap rather than in the .so's globals,
// which the race detector cannot see into.
var fieldCache = new(sync.Map) // reflect.Type → []structField

// structFields lists the exported fields of t, including those promoted from embedded
// structs, in the order encoding/json would consider them.
func structFields(t reflect.Type) []structField {
	if cached, ok := fieldCache.Load(t); ok {
		return cached.([]structField)
	}
	var fields []structField
	collectFields(t, nil, 0, &fields)
	fieldCache.Store(t, fields)
	return fields
}

// collectFields appends t's fields to out; embedded structs are flattened up to a small
// depth, so a type that embeds a pointer to itself cannot recurse forever.
func collectFields(t reflect.Type, prefix []int, depth int, out *[]structField) {
	var embedded []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		idx := append(append([]int(nil), prefix...), i)
		if f.Anonymous {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && depth < 3 {
				f.Index = idx
				embedded = append(embedded, f)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		*out = append(*out, structField{goName: f.Name, tagName: tag, index: idx})
	}
	for _, f := range embedded {
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		collectFields(ft, f.Index, depth+1, out)
	}
}

// fieldByIndex is reflect.Value.FieldByIndex without the panic on a nil embedded pointer.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 {
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					return reflect.Value{}, false
				}
				v = v.Elem()
			}
		}
		v = v.Field(x)
	}
	return v, true
}
