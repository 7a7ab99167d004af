# Loadstar: `make help` lists the targets.
SHELL := /bin/bash
PY := .venv/bin/python
STACK := $(PY) -m infra.local.stack

.PHONY: scale-out scale-in scale-out-test help install lock web up down status migrate demo test test-reversed test-random coverage test-fast fuzz faults soak load lint format types bench schemas

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

install: ## Create .venv and .tools (project, Triton, S3 server) at the locked versions; idempotent
	@bash infra/local/install.sh

lock: ## Refresh requirements.lock from a clean install of pyproject.toml (every extra)
	@bash infra/local/lock.sh

web: ## Build the console into web/dist (served by the control plane at /)
	@if [ -f web/package.json ]; then \
	  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules ]; then npm --prefix web ci --no-audit --no-fund; fi; \
	  npm --prefix web run build; fi

up: install ## Start the whole local stack and wait until every service is healthy
	@$(STACK) up

down: ## Stop what `make up` started
	@$(STACK) down

status: ## One table: service, URL, pid, state
	@$(STACK) status

scale-out: install ## A second Triton, gateway and worker beside `make up` (start the stack with `eval "$$(.venv/bin/python -m infra.local.scaleout env)"` first)
	@.venv/bin/python -m infra.local.scaleout up

scale-in: ## Stop what `make scale-out` started
	@.venv/bin/python -m infra.local.scaleout down

scale-out-test: install ## The two-of-everything recipe as a test (stops what it started)
	@$(STACK) run -- $(PYTEST) tests/integration/test_scale_out_replicas.py $(PYTEST_ARGS)

migrate: install ## Apply the database migrations
	@$(PY) -m piccolo.main migrations forwards all

demo: install web ## The whole story on real data: upload, explore, train, register, deploy, predict
	@$(STACK) up && $(PY) -m infra.demo.run

# `make test PYTEST_ARGS='-x tests/integration'` passes arguments on to pytest
PYTEST_ARGS ?=
PYTEST ?= $(PY) -m pytest

test: install web ## The whole test suite: console unit tests, then pytest; stops what it started, pass or fail
	@if [ -f web/package.json ]; then npm --prefix web test; fi
	@$(STACK) run -- $(PYTEST) $(PYTEST_ARGS)

test-reversed: install web ## pytest in reverse order: every test sets up the state it needs
	@$(STACK) run -- $(PYTEST) --reverse $(PYTEST_ARGS)

test-random: install web ## pytest in a shuffled order; the seed is printed, SEED=N repeats an order
	@seed=$${SEED:-$$((RANDOM * 32768 + RANDOM))}; \
	  echo "test-random: seed $$seed (make test-random SEED=$$seed repeats this order)"; \
	  $(STACK) run -- $(PYTEST) -p randomly --randomly-seed=$$seed $(PYTEST_ARGS)

coverage: install web ## `make test` under coverage.py; prints the total and per package, fails under the floor
	@$(PY) -m coverage erase
	@status=0; $(MAKE) --no-print-directory test PYTEST='$(PY) -m coverage run -m pytest' || status=$$?; \
	  $(PY) -m infra.local.coverage_report || { [ $$status -ne 0 ] || status=2; }; exit $$status

fuzz: install ## schemathesis on both OpenAPI documents, EXAMPLES per operation (default 50; `make test` runs 4)
	@LOADSTAR_FUZZ_EXAMPLES=$${EXAMPLES:-50} $(STACK) run -- $(PYTEST) tests/fuzz $(PYTEST_ARGS)

faults: install ## The fault suite alone (tests/faults: real services stopped and restarted under load)
	@$(STACK) run -- $(PYTEST) tests/faults $(PYTEST_ARGS)

soak: install ## The gateway at a steady rate (MINUTES, default 1; RATE per second, default 50), a row every 10 s
	@$(PY) -m benchmarks.gateway_soak --minutes $${MINUTES:-1} --rate $${RATE:-50}

load: install ## 50 console-like users on the running control plane (`make up` first; MINUTES, default 1)
	@$(PY) -m benchmarks.control_plane_load --minutes $${MINUTES:-1}

test-fast: install ## Unit tests only
	@$(PY) -m pytest tests/unit

lint: ## ruff lint + format check
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: ## ruff format
	@.venv/bin/ruff format . && .venv/bin/ruff check --fix .

types: ## mypy strict on the Python packages
	@.venv/bin/mypy

schemas: ## Regenerate the committed JSON Schemas, both OpenAPI documents and the console's API types
	@$(PY) -m schemas.generate
	@$(PY) -m edge_gateway.openapi
	@node web/scripts/gen-api.mjs --from-code

bench: install ## Run every benchmark (prints tables with ratios)
	@for b in benchmarks/*_bench.py benchmarks/ett_accuracy.py; do [ -f $$b ] && $(PY) -m benchmarks.$$(basename $$b .py); done
