# Planet: `make demo` runs the product on a local chain, `make test` runs every test.
# Each target installs what it needs first (a virtualenv with pinned packages, npm ci).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NETWORK ?= local
ARGS ?=
PYTEST_ARGS ?=

# ape finds anvil and our solc front end through these.
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)
export SOLCX_BINARY_PATH := $(CURDIR)/tools/solc/bin

ape_network = $(if $(findstring :,$(NETWORK)),$(NETWORK),ethereum:$(NETWORK))

.PHONY: setup demo test deploy gas index bench-indexer bench-api bench-rewards lint typecheck clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

demo: setup
	$(BIN)/ape run demo $(ARGS)

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

deploy: setup
	$(BIN)/ape run deploy --network $(ape_network) $(ARGS)

gas: setup
	$(BIN)/ape run gas_report $(ARGS)

index: setup
	$(BIN)/python -m indexer $(ARGS)

bench-indexer: setup
	$(BIN)/python benchmarks/indexer_throughput.py $(ARGS)

bench-api: setup
	$(BIN)/python -m benchmarks.api_load $(ARGS)

bench-rewards: setup
	$(BIN)/python -m benchmarks.merkle_1m
	$(BIN)/python -m benchmarks.epoch_close_100k

# Every check but the type check; pre-commit runs the same commands (.pre-commit-config.yaml).
# To fix what it reports: `.venv/bin/ruff format .` and `node tools/forge/forge.cjs fmt contracts`.
# forge fmt (settings in foundry.toml) goes through tools/forge/forge.cjs because the npm
# wrapper node_modules/.bin/forge always exits 0, which would make --check pass on any diff.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	node tools/forge/forge.cjs fmt --check contracts

# mypy over planet, indexer, api, scripts and benchmarks ([tool.mypy] in pyproject.toml). Not in
# `make lint` until the code is mypy-clean.
typecheck: setup
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules contracts/.cache .build .run
