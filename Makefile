# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_INSTALL := npm install --no-audit --no-fund --loglevel=error

.PHONY: help install build typecheck typecheck-reliability lint format package check unit integration reliability stress test coverage services demo bench clean

help:
	@echo "make demo         run the demo (the main job)"
	@echo "make test         install, start services, then check + unit + integration tests"
	@echo "make check        typecheck, lint/format check, build, publint, attw, packed-tarball smoke test"
	@echo "make unit         unit tests (no services)"
	@echo "make integration  integration tests against the real services"
	@echo "make coverage     unit tests with coverage thresholds"
	@echo "make services     start the local services (or docker compose) the tests need"
	@echo "make bench        benchmarks (ratios against the raw client, same run)"
	@echo "make reliability  reliability suite, fast counts (part of make test): isolation, faults, hostile input, secrets, leaks"
	@echo "make stress       reliability suite with the large counts; prints every figure, fails on any non-zero must-be-zero"

# Reinstall only when package.json or the lockfile changed since the last install.
node_modules/.installed: package.json package-lock.json
	$(NPM_INSTALL)
	@touch $@

install: node_modules/.installed

build: install
	npx --no-install tsup

typecheck: install
	npx --no-install tsc --noEmit -p tsconfig.json

# The client-specific reliability files (test/reliability/clients) name every client's export;
# they compile once all clients are merged. Until then tsconfig.json leaves them out.
typecheck-reliability: install
	npx --no-install tsc --noEmit -p tsconfig.reliability.json

lint: install
	npx --no-install biome check --error-on-warnings .

format: install
	npx --no-install biome check --write .

package: build
	bash scripts/smoke-package.sh

check: typecheck lint package

unit: install
	npx --no-install vitest run --project unit

coverage: install
	npx --no-install vitest run --project unit --coverage

services:
	bash scripts/services.sh

integration: install services
	npx --no-install vitest run --project integration

reliability: install services
	bash scripts/reliability.sh

stress: install services
	STRESS=1 bash scripts/reliability.sh

test: check coverage integration reliability

demo: build
	npx --no-install tsx examples/minimal.ts

bench: install
	npx --no-install tsx bench/core.ts

clean:
	rm -rf dist coverage node_modules/.installed traced-clients-*.tgz
