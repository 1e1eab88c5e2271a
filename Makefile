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


.PHONY: browser bench-web setup demo test test-fast chain deploy verify gas index bench-indexer bench-api bench-rewards lint typecheck lock clean

setup: $(VENV)/.installed node_modules/.installed web/dist/index.html browser

# constraints.txt is a lock with hashes (`make lock`): pip checks every file it downloads against
# it. pip refuses an editable install in hash-checking mode, so `-c constraints.txt -e .[dev]`
# cannot take hashes: the lock is installed as requirements (--require-hashes), then the project
# alone (--no-deps), and tools/lock/check_installed.py fails if pyproject.toml asks for anything
# the lock lacks (run `make lock`). pip 26.3 first: Python 3.11's own pip 23.2 fails
# hash-checking on a requirement with extras (python-okx needs httpx[http2]).
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install pip==26.3
	$(PIP) install --require-hashes -r constraints.txt
	$(PIP) install --no-deps -e .
	$(BIN)/python tools/lock/check_installed.py
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The web app (web/, Vite + TypeScript + viem), built into web/dist (git-ignored) and served by
# the API at /. Its ABIs are generated from the compiled contracts (ape's .build), so the build
# follows the contracts and the app's sources.
WEB_SOURCES := $(shell find web -path web/dist -prune -o -path web/src/generated -prune -o -type f -print 2>/dev/null)
CONTRACT_SOURCES := $(shell find contracts -name '*.sol' -not -path 'contracts/.cache/*' 2>/dev/null)
web/dist/index.html: $(VENV)/.installed node_modules/.installed $(WEB_SOURCES) $(CONTRACT_SOURCES)
	$(BIN)/ape compile
	node web/scripts/abis.mjs
	VITE_CONFIG_NATIVE_IGNORE_WARNING=true node_modules/.bin/vite build --config web/vite.config.mts --logLevel warn
	@touch $@

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot run
# here); installed once when missing (as root, or through sudo).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

demo: setup
	$(BIN)/ape run demo $(ARGS)

# The suite runs on every core (pytest-xdist, one anvil and one set of template databases per
# worker) with hypothesis's `ci` profile: every property at its full example count
# (tests/support/profiles.py). Contracts are compiled once first, so the workers only read the
# build. `make test-fast` leaves out the tests marked slow (properties, fuzzing, clusters,
# subprocess-heavy CLI runs). PYTEST_ARGS adds options, e.g. PYTEST_ARGS="-n 0 -k claim".
XDIST := -n auto --maxprocesses 4 --dist worksteal

test: setup
	$(BIN)/ape compile
	HYPOTHESIS_PROFILE=ci $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/ape compile
	$(BIN)/pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

# A local chain that outlives its commands: anvil keeps its state (accounts, contracts, blocks)
# in .run/chain/state.json, written every few seconds and on Ctrl-C, and loads it on the next
# start. `make deploy` deploys to it (NETWORK=local joins the chain on CHAIN_PORT).
CHAIN_PORT ?= 8545
chain: setup
	@mkdir -p .run/chain
	anvil --port $(CHAIN_PORT) --state .run/chain/state.json --state-interval 5

# A deploy compiles everything afresh first: ape's incremental build can keep a contract's old
# bytecode after only a file it imports changed (seen when an interface's NatSpec changed), and
# a contract deployed from such a build matches no source (`make verify` refuses it).
deploy: setup
	$(BIN)/ape compile --force
	$(if $(filter local,$(NETWORK)),APE_FOUNDRY_HOST=http://127.0.0.1:$(CHAIN_PORT)) \
		$(BIN)/ape run deploy --network $(ape_network) $(ARGS)

# Publishes the deployed contracts' sources on X Layer's explorer (OKLink): needs
# PLANET_VERIFY_API_KEY; PLANET_VERIFY_URL, PLANET_VERIFY_POLL_SECONDS and PLANET_VERIFY_TIMEOUT
# are optional (scripts/verify.py). e.g. make verify NETWORK=xlayer-testnet
verify: setup
	$(BIN)/ape run verify --network $(ape_network) $(ARGS)

gas: setup
	$(BIN)/ape run gas_report $(ARGS)

index: setup
	$(BIN)/planet index $(ARGS)

bench-indexer: setup
	$(BIN)/python benchmarks/indexer_throughput.py $(ARGS)

bench-api: setup
	$(BIN)/python -m benchmarks.api_load $(ARGS)

bench-web: setup
	$(BIN)/python -m benchmarks.web

bench-rewards: setup
	$(BIN)/python -m benchmarks.merkle_1m
	$(BIN)/python -m benchmarks.epoch_close_100k

# Every check but the type check; pre-commit runs the same commands (.pre-commit-config.yaml).
# Slither (tools/slither) analyses every contract through tools/slither/Planet.sol; its config
# lists each accepted finding with the reason, and any other Low or worse finding fails.
# To fix what it reports: `.venv/bin/ruff format .` and `node tools/forge/forge.cjs fmt contracts`.
# forge fmt (settings in foundry.toml) goes through tools/forge/forge.cjs because the npm
# wrapper node_modules/.bin/forge always exits 0, which would make --check pass on any diff.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	node tools/forge/forge.cjs fmt --check contracts
	$(BIN)/python tools/slither/run.py tools/slither --config-file tools/slither/slither.config.json

# mypy over planet, indexer, api, scripts and benchmarks ([tool.mypy] in pyproject.toml); CI runs
# it after `make lint`.
typecheck: setup
	$(BIN)/mypy
	node_modules/.bin/tsc -p web

# Regenerates constraints.txt: uv resolves pyproject.toml with the dev extra for Python 3.11 on
# every platform (markers) and writes each version with its hashes. The versions already in
# constraints.txt are kept wherever pyproject.toml allows them (uv prefers the pins of its output
# file), so nothing upgrades by surprise; to move one on: make lock LOCK_ARGS='-P web3'.
# Needs no set-up venv, so a lock that no longer matches pyproject.toml can be regenerated.
# (The ranges in pyproject.toml carry what the lock learnt: ape-foundry 0.8.5 fails to import
# beside eth-pydantic-types 0.2.7, eth-ape needs click<8.2, so import-linter stays at 2.16.)
LOCK_ARGS ?=
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(PIP) install "$$(grep -m1 '^uv==' constraints.txt | cut -d' ' -f1)"
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command 'make lock' --quiet \
		--output-file constraints.txt $(LOCK_ARGS)

clean:
	rm -rf $(VENV) node_modules contracts/.cache .build .run web/dist web/src/generated
