package hostloader

import (
	"fmt"
	"reflect"
	"strings"
)

// handlerType is the reflect type of Handler, used to explain a symbol that lacks methods.
var handlerType = reflect.TypeFor[Handler]()

// WrongTypeError reports a Plugin symbol whose type does not implement Handler.
type WrongTypeError struct {
	// Path is the plugin file as given, or "" when the symbol came from HandlerFrom.
	Path string
	// Found is the symbol's type as printed by %T, such as "*main.handler".
	Found string
	// Missing lists the Handler methods the type lacks.
	Missing []string
	// Mismatched describes each Handler method the type has with another signature.
	Mismatched []string
	// Hint, when not empty, points at a likely declaration mistake.
	Hint string
}

// Error names the type found, what it lacks and how the symbol should be declared.
func (e *WrongTypeError) Error() string {
	var b strings.Builder
	b.WriteString("hostloader: symbol " + Symbol)
	if e.Path != "" {
		b.WriteString(" in " + e.Path)
	}
	fmt.Fprintf(&b, " has type %s, which does not implement hostloader.Handler", e.Found)
	var problems []string
	for _, name := range e.Missing {
		m, _ := handlerType.MethodByName(name)
		problems = append(problems, "missing method "+name+" "+m.Type.String())
	}
	problems = append(problems, e.Mismatched...)
	if len(problems) > 0 {
		b.WriteString(": " + strings.Join(problems, "; "))
	}
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	fmt.Fprintf(&b, "; declare \"var %s T\" in the plugin's main package, where *T has the "+
		"methods %s", Symbol, handlerMethods())
	return b.String()
}

// HandlerFrom returns sym as a Handler. sym is what plugin.Lookup returned for Symbol, a
// pointer to the plugin's variable. When sym does not implement Handler the error is a
// *WrongTypeError listing the missing and mismatched methods.
func HandlerFrom(sym any) (Handler, error) {
	if h, ok := sym.(Handler); ok {
		return h, nil
	}
	return nil, wrongType("", sym)
}

// wrongType describes how the type of sym falls short of Handler.
func wrongType(path string, sym any) *WrongTypeError {
	e := &WrongTypeError{Path: path, Found: fmt.Sprintf("%T", sym)}
	got := reflect.TypeOf(sym)
	for i := range handlerType.NumMethod() {
		want := handlerType.Method(i)
		have, ok := methodSignature(got, want.Name)
		switch {
		case !ok:
			e.Missing = append(e.Missing, want.Name)
		case have != want.Type:
			e.Mismatched = append(e.Mismatched,
				fmt.Sprintf("method %s is %s, want %s", want.Name, have, want.Type))
		}
	}
	e.Hint = declarationHint(sym, got)
	return e
}

// methodSignature returns the type of t's method name without its receiver, and whether t
// has such a method at all.
func methodSignature(t reflect.Type, name string) (reflect.Type, bool) {
	if t == nil {
		return nil, false
	}
	m, ok := t.MethodByName(name)
	if !ok {
		return nil, false
	}
	if t.Kind() == reflect.Interface {
		return m.Type, true
	}
	in := make([]reflect.Type, 0, m.Type.NumIn()-1)
	for i := 1; i < m.Type.NumIn(); i++ {
		in = append(in, m.Type.In(i))
	}
	out := make([]reflect.Type, 0, m.Type.NumOut())
	for i := range m.Type.NumOut() {
		out = append(out, m.Type.Out(i))
	}
	return reflect.FuncOf(in, out, m.Type.IsVariadic()), true
}

// declarationHint recognises two common mistakes: declaring Plugin as a pointer or an
// interface, so that Lookup yields a pointer to it, and passing a value whose methods have
// pointer receivers.
func declarationHint(sym any, t reflect.Type) string {
	if t == nil {
		return ""
	}
	if t.Kind() != reflect.Pointer {
		if reflect.PointerTo(t).Implements(handlerType) {
			return "its methods have pointer receivers, so pass a pointer to the value"
		}
		return ""
	}
	inner := reflect.ValueOf(sym).Elem()
	switch inner.Kind() {
	case reflect.Pointer, reflect.Interface:
		if inner.Type().Implements(handlerType) ||
			(!inner.IsNil() && inner.Elem().Type().Implements(handlerType)) {
			return fmt.Sprintf("%s is declared as a pointer or interface, but plugin.Lookup "+
				"returns a pointer to the variable, so declare it as a plain value", Symbol)
		}
	}
	return ""
}

// handlerMethods lists the names of Handler's methods for error messages.
func handlerMethods() string {
	names := make([]string, handlerType.NumMethod())
	for i := range names {
		names[i] = handlerType.Method(i).Name
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
