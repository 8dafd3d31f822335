# fleetkit-go — developer tasks. `make test` is what CI runs (.ci/run).

GO               ?= go
STATICCHECK      := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The oldest Go the go.mod directive promises; `make compat` builds and vets with it.
COMPAT_TOOLCHAIN := go1.25.14
PKGS             := ./...
FUZZTIME         ?= 10s
BENCHTIME        ?= 1s

.PHONY: test fmt-check vet staticcheck race compat bench fuzz cover tidy-check

## test: every gate CI enforces: formatting, vet, staticcheck, tidy go.mod, the race-enabled tests (the dashboard in a headless Chromium), Go 1.25 build
test: fmt-check vet staticcheck tidy-check race compat

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) run $(STATICCHECK) $(PKGS)

tidy-check:
	@dir=$$(mktemp -d); cp go.mod go.sum "$$dir"/; \
	$(GO) mod tidy; \
	if ! cmp -s go.mod "$$dir"/go.mod || ! cmp -s go.sum "$$dir"/go.sum; then \
		cp "$$dir"/go.mod "$$dir"/go.sum .; rm -rf "$$dir"; \
		echo "go.mod/go.sum are not tidy: run 'go mod tidy'"; exit 1; fi; \
	rm -rf "$$dir"

race:
	$(GO) test -race -count=1 $(PKGS)

## compat: the library builds and vets with the oldest Go the go directive allows
compat:
	GOTOOLCHAIN=$(COMPAT_TOOLCHAIN) $(GO) vet $(PKGS)

## bench: benchmarks, each beside its raw net/http + encoding/json baseline
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

## fuzz: a short run of every fuzz target
fuzz:
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$target"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

## cover: coverage per function (coverage.out is git-ignored)
cover:
	$(GO) test -race -coverprofile=coverage.out $(PKGS)
	$(GO) tool cover -func=coverage.out | tail -n 1
