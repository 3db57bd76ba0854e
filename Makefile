# Làng Xanh — the two commands: `make run` and `make test` (each sets itself up).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-unit test-services test-e2e bench infra clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "pip>=23"
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

infra:
	@bash deploy/ensure-infra.sh

## The official AsyncAPI parser (npm, pinned in tools/asyncapi/package-lock.json) for tests/contracts.
ASYNCAPI_TOOLS := tools/asyncapi/node_modules/.installed
$(ASYNCAPI_TOOLS): tools/asyncapi/package.json tools/asyncapi/package-lock.json
	@command -v npm >/dev/null || { echo "npm is not installed: install Node.js 20 (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --prefix tools/asyncapi --no-audit --no-fund --ignore-scripts
	@touch $@

## Debian's Chromium for tests/gateway/test_dashboard.py (the dashboard loaded in a headless browser).
CHROMIUM := $(VENV)/.chromium
$(CHROMIUM): $(STAMP)
	@command -v chromium >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; } \
		|| { echo "could not install chromium: run make test as root, or apt-get install chromium" >&2; exit 1; }
	@touch $@

## The whole system on embedded defaults (SQLite in ./var, RabbitMQ on localhost); seeds Hanoi on first run.
run: $(STAMP)
	@bash deploy/ensure-infra.sh rabbitmq $${LANGXANH_DATABASE_URL:+postgres}
	$(BIN)/langxanh up --seed

## Every test, against the real RabbitMQ and PostgreSQL (each run in its own vhost and schemas).
test: $(STAMP) $(ASYNCAPI_TOOLS) $(CHROMIUM) infra
	$(BIN)/python -m pytest tests/domain tests/application tests/contracts tests/kit tests/bot tests/gateway tests/fuzz tests/deploy
	$(BIN)/python -m pytest tests/services
	$(BIN)/python -m pytest tests/e2e

test-unit: $(STAMP) $(ASYNCAPI_TOOLS)
	$(BIN)/python -m pytest tests/domain tests/application tests/contracts tests/kit

bench: $(STAMP) infra
	$(BIN)/python -m tests.bench.sites_throughput
	$(BIN)/python -m tests.bench.manifests_lifecycle
	$(BIN)/python -m tests.bench.indicators_rebuild
	$(BIN)/python -m tests.bench.bot_status

clean:
	rm -rf $(VENV) var
