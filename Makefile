# One command to run the app, one to test it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo

.PHONY: help dev start test test-rust-style test-api test-api-postgres test-schemathesis test-web test-e2e bench bench-instructions bench-browser env openapi

help:
	@echo "make dev    run the app: web on http://localhost:3000, API on http://127.0.0.1:8000 (docs at /docs)"
	@echo "make start  run it as in production: the release API and the web app's production build (README, Operate it)"
	@echo "make test   run every test (PostgreSQL too when TEST_DATABASE_URL is set)"
	@echo "make bench  load benchmarks beside the bare-axum ceiling and the FastAPI stack (QUICK=1 for a short run)"
	@echo "make bench-instructions  CPU instructions per request under callgrind, QUICK data (bench/instructions.py)"
	@echo "make bench-browser  the web app in Chromium: first-load JS, sign-in to tasks, 500 tasks (bench/results/BROWSER.md)"

# Creates .env with a fresh random BETTER_AUTH_SECRET when there is none.
env:
	@scripts/ensure-env.sh

dev:
	@scripts/dev.sh

# Both services as in production (release API, next build + next start), same .env.
start:
	@scripts/start.sh

test: test-rust-style test-api test-api-postgres test-schemathesis test-web test-e2e

# Formatting (rustfmt.toml) and clippy's lints, warnings as errors: style never
# drifts, and a lint is fixed (or allowed where it is, with the reason) when it appears.
test-rust-style:
	$(CARGO) fmt --all --check
	$(CARGO) fmt --manifest-path bench/ceiling/Cargo.toml --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

# Unit tests, the black-box API suite and the fault tests on SQLite.
test-api:
	env -u TEST_DATABASE_URL $(CARGO) test --locked --workspace -- --skip on_postgres

# The same black-box suite against PostgreSQL, each test in its own schema, the
# fault tests that need PostgreSQL, and the scale-out tests (two API processes on one
# PostgreSQL and one Redis) when a Redis is there: TEST_REDIS_URL, or else
# redis://127.0.0.1:6379 when it answers (skipped, and said so, when it does not).
# A TEST_REDIS_URL that is set but does not answer fails the run.
# `--workspace` (with only these test targets): the features test-api built with,
# so its build is reused rather than compiled again for `-p todo-api` alone.
test-api-postgres:
	@if [ -z "$$TEST_DATABASE_URL" ]; then \
		echo "TEST_DATABASE_URL is not set: skipping the PostgreSQL run of the API suite and the scale-out tests"; \
		exit 0; \
	fi; \
	scale_out="--test scale_out"; \
	if [ -z "$$TEST_REDIS_URL" ]; then \
		if scripts/redis-ping.sh 127.0.0.1:6379; then \
			export TEST_REDIS_URL=redis://127.0.0.1:6379; \
		else \
			echo "TEST_REDIS_URL is not set and no Redis answers at 127.0.0.1:6379: skipping the scale-out tests"; \
			scale_out=""; \
		fi; \
	fi; \
	$(CARGO) test --locked --workspace --test api --test faults $$scale_out -- --skip on_sqlite

# Schemathesis (in its own venv) against the running API: no 5xx, every
# response as /openapi.json documents it.
test-schemathesis:
	api/schemathesis/run.sh

# The web app's API types against api/openapi.json, type check, lint, and its
# unit and component tests (Vitest).
test-web:
	scripts/npm-deps.sh web
	cd web && npm run --silent check:api-types && npm run --silent typecheck && npm run --silent lint && npm test

# Browser tests across both services in Debian's Chromium, in both signing modes
# (and on PostgreSQL when TEST_DATABASE_URL is set).
test-e2e:
	e2e/run.sh

# Load benchmarks beside the bare-axum ceiling and the FastAPI stack
# (bench/README.md); QUICK=1 for a short run.
bench:
	bench/run.sh

# Instructions per request of each scenario under callgrind: stable on a noisy machine.
bench-instructions:
	bench/run.sh --instructions

# The web app's figures in Chromium against its production build (bench/browser/).
bench-browser:
	bench/browser/run.sh

# Rewrites api/openapi.json after a deliberate contract change.
openapi:
	UPDATE_OPENAPI=1 $(CARGO) test --locked -p todo-api --test api openapi_document
