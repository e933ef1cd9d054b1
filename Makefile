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

# pdhost, the command-line host, is built like the plugin (same go, no -race, no
# -trimpath), or plugin.Open refuses the .so. Its version comes from manifest.json too.
PDHOST ?= bin/pdhost

.PHONY: all build test vet help pdhost demo check-host

all: build

help:
	@echo "make build              build $(PLUGIN) (version $(VERSION))"
	@echo "make test               go vet and every test, with the race detector"
	@echo "make demo               build $(PLUGIN) and $(PDHOST), page a local PagerDuty stand-in"
	@echo "make check-host HOST=F  tell whether $(PLUGIN) will load into the API server F"

build:
	$(GO) build $(PLUGIN_FLAGS) -o $(PLUGIN) .

vet:
	$(GO) vet ./...

test: vet
	$(GO) test -race -count=1 ./...

pdhost:
	$(GO) build -ldflags="-X main.version=$(VERSION)" -o $(PDHOST) ./cmd/pdhost

demo: build pdhost
	$(PDHOST) demo --plugin $(PLUGIN)

check-host: build pdhost
	@test -n "$(HOST)" || { echo "usage: make check-host HOST=/path/to/api-server" >&2; exit 2; }
	$(PDHOST) check-host --host $(HOST) --plugin $(PLUGIN)
