# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_INSTALL := npm install --no-audit --no-fund --loglevel=error

.PHONY: help install build typecheck lint format package check unit integration reliability stress test coverage services demo example-minimal docs bench bench-full bench-smoke clean

help:
	@echo "make demo         run the demo: two traced services and a worker, traces drawn in the terminal"
	@echo "make test         install, start services, then check + unit + integration tests"
	@echo "make check        typecheck, lint/format check, build, publint, attw, packed-tarball smoke test"
	@echo "make unit         unit tests (no services)"
	@echo "make integration  integration tests against the real services"
	@echo "make coverage     unit tests with coverage thresholds"
	@echo "make services     start the local services (or docker compose) the tests need"
	@echo "make docs         API reference from the TSDoc comments (TypeDoc) into docs/api/"
	@echo "make bench        benchmarks, a few minutes: core cost, every client vs raw / OpenTelemetry, memory soak"
	@echo "make bench-full   the long run the speed targets are judged on (about 45 minutes)"
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

demo: install
	npx --no-install tsx examples/demo/run.ts

example-minimal: install
	npx --no-install tsx examples/minimal.ts

docs: install
	npx --no-install typedoc

# Loopback only, bounded: every variant process has a time budget and the soak a fixed call count.
bench: build services
	npx --no-install tsx bench/core.ts 5 100000
	npx --no-install tsx bench/run.ts --profile quick

bench-full: build services
	npx --no-install tsx bench/core.ts 9 300000
	npx --no-install tsx bench/run.ts --profile full --strict --soak-client ioredis

# Checks the harness in about a minute (numbers mean nothing).
bench-smoke: build
	npx --no-install tsx bench/run.ts --profile smoke --out /tmp/traced-clients-bench

clean:
	rm -rf dist coverage node_modules/.installed traced-clients-*.tgz
