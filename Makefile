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

.PHONY: all build install version test vet help pdhost demo check-host bench fuzz

all: build

help:
	@echo "make build              build $(PLUGIN) (version $(VERSION))"
	@echo "make build HOST=F       build $(PLUGIN) so that the API server binary F loads it"
	@echo "make install DEST=D     build, then lay out D/streamspace-pagerduty/ for StreamSpace"
	@echo "make test               go vet and every test, with the race detector"
	@echo "make fuzz               run each fuzz target for FUZZTIME (default $(FUZZTIME))"
	@echo "make bench              speed, memory and size benchmarks; see BENCHMARKS.md"
	@echo "make demo               build $(PLUGIN) and $(PDHOST), page a local PagerDuty stand-in"
	@echo "make check-host HOST=F  tell whether $(PLUGIN) will load into the API server F"

# make build HOST=/path/to/api-server builds a .so that this API server binary will load:
# shared modules aligned to the host's versions, the host's -trimpath and -race, and the
# host's Go release; then it checks the result against the host.
ifeq ($(HOST),)
build:
	$(GO) build $(PLUGIN_FLAGS) -o $(PLUGIN) .
else
build: pdhost
	$(PDHOST) build --host $(HOST) -o $(PLUGIN) --pluginpath $(PLUGINPATH)
endif

# make install DEST=DIR lays the plugin out as StreamSpace's loader looks for it:
# DIR/streamspace-pagerduty/streamspace-pagerduty.so beside its manifest.json.
install:
	@test -n "$(DEST)" || { echo "usage: make install DEST=/plugins [HOST=...]" >&2; exit 2; }
	@$(MAKE) --no-print-directory build
	install -d $(DEST)/streamspace-pagerduty
	install -m 0644 $(PLUGIN) $(DEST)/streamspace-pagerduty/streamspace-pagerduty.so
	install -m 0644 manifest.json $(DEST)/streamspace-pagerduty/manifest.json

version:
	@echo $(VERSION)

vet:
	$(GO) vet ./...

# Every package with the race detector; the plugin-loading tests once more as production
# builds them, without it; and the benchmarks module (its own go.mod), each benchmark once.
test: vet
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 ./hosttest
	cd benchmarks && $(GO) vet ./... && \
		$(GO) test -race -count=1 -run . -bench . -benchtime=1x .

# make fuzz runs each fuzz target of the plugin, one after another, for FUZZTIME each.
# New failing inputs land in testdata/fuzz/<target>/, where `make test` replays them.
FUZZTIME     ?= 30s
FUZZ_TARGETS := FuzzConfig FuzzSessionPayload FuzzUserPayload
fuzz:
	for t in $(FUZZ_TARGETS); do \
		$(GO) test -run='^$$' -fuzz="^$$t\$$" -fuzztime=$(FUZZTIME) . || exit 1; \
	done

pdhost:
	$(GO) build -ldflags="-X main.version=$(VERSION)" -o $(PDHOST) ./cmd/pdhost

demo: build pdhost
	$(PDHOST) demo --plugin $(PLUGIN)

# check-host checks the .so as it stands; it builds one (the plain way) only if none exists.
check-host: pdhost
	@test -n "$(HOST)" || { echo "usage: make check-host HOST=/path/to/api-server" >&2; exit 2; }
	@test -f $(PLUGIN) || $(GO) build $(PLUGIN_FLAGS) -o $(PLUGIN) .
	$(PDHOST) check-host --host $(HOST) --plugin $(PLUGIN)

# The benchmarks are a module of their own (benchmarks/go.mod), so that go-pagerduty, which
# they compare against, never enters the plugin's go.mod; go test ./... here skips them.
# The comparisons run in three rounds, so that a change in the machine's load between
# contenders shows up as spread rather than as a difference. BENCHMARKS.md explains each.
bench: build
	benchmarks/plugin_size.sh $(PLUGIN) $(PLUGINPATH)
	cd benchmarks && $(GO) test -run '^$$' -benchmem -bench '^BenchmarkPluginHook$$' \
		-benchtime=20000x -count=3 .
	cd benchmarks && $(GO) test -run '^$$' -benchmem -bench '^BenchmarkBurstOverLimit$$' \
		-benchtime=5x -count=3 .
	cd benchmarks && $(GO) test -run '^$$' -bench '^BenchmarkEndToEnd$$' \
		-benchtime=2000x -count=3 .
	cd benchmarks && $(GO) test -run '^$$' -benchmem \
		-bench '^BenchmarkHookBlocking$$/^rtt-100ms$$' -benchtime=20x .
	cd benchmarks && for round in 1 2 3; do \
		$(GO) test -run '^$$' -benchmem -bench '^BenchmarkHookBlocking$$/^loopback$$' \
			-benchtime=3000x . || exit 1; \
		$(GO) test -run '^$$' -benchmem -bench '^BenchmarkSequentialSends$$' \
			-benchtime=3000x . || exit 1; \
	done
