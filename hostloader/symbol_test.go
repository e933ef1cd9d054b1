package hostloader_test

import (
	"log/slog"
	"testing"

	"github.com/streamspace/streamspace-pagerduty/hostloader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pointerHandler implements Handler with pointer receivers, as plugins usually do.
type pointerHandler struct{}

func (*pointerHandler) OnLoad(map[string]any, *slog.Logger) error { return nil }
func (*pointerHandler) OnUnload() error                           { return nil }
func (*pointerHandler) OnSessionCreated(any) error                { return nil }
func (*pointerHandler) OnSessionHibernated(any) error             { return nil }
func (*pointerHandler) OnUserCreated(any) error                   { return nil }

// variadicHandler has every Handler method, one of them with a variadic signature.
type variadicHandler struct{ pointerHandler }

func (*variadicHandler) OnUserCreated(...any) error { return nil }

func TestHandlerFromExplainsWrongTypes(t *testing.T) {
	t.Parallel()
	all := []string{"OnLoad", "OnSessionCreated", "OnSessionHibernated", "OnUnload",
		"OnUserCreated"}
	var asInterface hostloader.Handler = &pointerHandler{}
	tests := []struct {
		name       string
		sym        any
		found      string
		missing    []string
		mismatched []string
		hint       string
	}{{
		name: "pointer to int", sym: new(int), found: "*int", missing: all,
	}, {
		name: "nil", sym: nil, found: "<nil>", missing: all,
	}, {
		name: "variable declared as a pointer", sym: new(*pointerHandler),
		found: "**hostloader_test.pointerHandler", missing: all,
		hint: "Plugin is declared as a pointer or interface",
	}, {
		name: "variable declared as an interface", sym: &asInterface,
		found: "*hostloader.Handler", missing: all,
		hint: "Plugin is declared as a pointer or interface",
	}, {
		name: "value whose methods have pointer receivers", sym: pointerHandler{},
		found: "hostloader_test.pointerHandler", missing: all,
		hint: "its methods have pointer receivers",
	}, {
		name: "method with another signature", sym: &variadicHandler{},
		found: "*hostloader_test.variadicHandler",
		mismatched: []string{
			"method OnUserCreated is func(...interface {}) error, want func(interface {}) error",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := hostloader.HandlerFrom(tt.sym)
			assert.Nil(t, h)
			e := requireAs[*hostloader.WrongTypeError](t, err)
			assert.Equal(t, tt.found, e.Found)
			assert.Equal(t, tt.missing, e.Missing)
			assert.Equal(t, tt.mismatched, e.Mismatched)
			if tt.hint == "" {
				assert.Empty(t, e.Hint)
			} else {
				assert.Contains(t, e.Hint, tt.hint)
			}
			assert.ErrorContains(t, err, "symbol Plugin has type "+tt.found)
			assert.ErrorContains(t, err, `declare "var Plugin T" in the plugin's main package`)
		})
	}
	t.Run("pointer to an implementing type is accepted", func(t *testing.T) {
		sym := &pointerHandler{}
		h, err := hostloader.HandlerFrom(sym)
		require.NoError(t, err)
		assert.Same(t, sym, h)
	})
}
