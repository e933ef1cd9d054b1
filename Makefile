# streamspace-pagerduty build. `make help` lists the targets.

GO      ?= go
PLUGIN  ?= pagerduty-plugin.so

# The version is declared once, in manifest.json.
VERSION := $(shell sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' manifest.json)
# A short hash of the plugin's sources gives each build its own plugin path, so a running
# host can open a newer build without "plugin already loaded".
SRCHASH := $(shell cat go.mod go.sum manifest.json $(wildcard *.go) | sha256sum | cut -c1-12)
# No "@" in it: the system linker would read the text after "@" as a symbol version.
PLUGINPATH := github.com/streamspace/streamspace-pagerduty/v$(VERSION)-$(SRCHASH)

# No -trimpath and no -race: the StreamSpace API server is built without them, and
# plugin.Open refuses a .so whose flags differ from the host's.
# The plugin path must be both the compiled package path (-gcflags=-p) and the link-time
# plugin path, or the .so names its symbols after one and is looked up by the other.
PLUGIN_FLAGS := -buildmode=plugin -gcflags=-p=$(PLUGINPATH) -ldflags=-pluginpath=$(PLUGINPATH)

.PHONY: all build test vet help

all: build

help:
	@echo "make build              build $(PLUGIN) (version $(VERSION))"
	@echo "make test               go vet and every test, with the race detector"

build:
	$(GO) build $(PLUGIN_FLAGS) -o $(PLUGIN) .

vet:
	$(GO) vet ./...

test: vet
	$(GO) test -race -count=1 ./...
