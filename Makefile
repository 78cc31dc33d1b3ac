# Policyline: every target installs what it needs first, so a fresh clone needs only `make run`
# or `make test`. The virtual environment is .venv (Python 3.10, required by Rasa 3.6).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
UV_VERSION := 0.13.8
MODEL := models/policyline.tar.gz
# axe-core for the browser accessibility tests, from the npm registry at the version tools/axe pins.
AXE_JS := tools/axe/node_modules/axe-core/axe.min.js
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null)

.PHONY: run test test-fast test-faults test-scale lint typecheck contracts check bench bench-quick nlu-report train install system axe lock clean help

help:
	@echo "make run    install, train if needed, start the whole local stack"
	@echo "make test   install, train if needed, run every test"
	@echo "make bench  measure and print the one benchmark table (bench/results/latest.md, latest.json)"
	@echo "make bench-quick  the same table with fewer samples (about 3 minutes)"
	@echo "make test-faults  fault tests under load (PAS outage/slow, Redis down, restarts)"
	@echo "make test-scale  two Rasa servers behind nginx: rolling restart under load (PostgreSQL, Redis)"
	@echo "make check  the gates CI runs before the tests: lint, typecheck, contracts"
	@echo "make nlu-report  NLU accuracy on the own held-out set and the peer set, shortcut words"

run: install $(MODEL)
	$(BIN)/policyline run

# Two pytest runs: every test but the PII scan on TEST_WORKERS parallel workers (tests that share
# the Rasa stack, or a module's servers, stay on one worker: tests/conftest.py), then the PII scan
# over the logs and tracker stores the first run left (tests/security/test_no_pii_after_the_run.py).
# Both always run; the first failure's exit code wins.
TEST_WORKERS ?= 2
test: install system axe $(MODEL)
	@run=$$(mktemp -d -t policyline-tests.XXXXXX); trap 'rm -rf "$$run"' EXIT; \
	export POLICYLINE_TEST_RUN_STARTED=$$(date +%s) POLICYLINE_TEST_RUN_TMP="$$run/tests"; \
	set -x; \
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup \
	  --basetemp="$$run/tests" -m "not pii_scan" $(PYTEST_ARGS); tests=$$?; \
	$(BIN)/pytest -q -p no:cacheprovider --basetemp="$$run/scan" -m pii_scan \
	  tests/security/test_no_pii_after_the_run.py; scan=$$?; \
	exit $$(( tests != 0 ? tests : scan ))

# Fault tests under load, including the long ones (Rasa restart) that `make test` skips.
test-faults: install system axe $(MODEL)
	$(BIN)/pytest -q -p no:cacheprovider -m faults tests/faults $(PYTEST_ARGS)

test-scale: install system $(MODEL)
	$(BIN)/pytest -q -p no:cacheprovider -m scale tests/scale $(PYTEST_ARGS)

test-fast: install system axe
	$(BIN)/pytest -q -p no:cacheprovider -m "not rasa" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy over every package ([tool.mypy] in pyproject.toml: strict for bot and pas_connector).
typecheck: install
	$(BIN)/mypy

# Import contracts between the layers ([tool.importlinter] in pyproject.toml, docs/architecture.md).
contracts: install
	$(BIN)/lint-imports

check: lint typecheck contracts

# One table, every figure from one run on this machine (docs/benchmarks.md says how to read it);
# BENCH_ARGS=--with-training adds cold training, BENCH_ARGS=--all the older benchmarks.
bench: install system $(MODEL)
	$(PY) -m bench $(BENCH_ARGS)

bench-quick: install system $(MODEL)
	$(PY) -m bench --quick $(BENCH_ARGS)

# NLU on wording it never trained on: tests/nlu/held_out_nlu.yml and ../shared/eval/peer_nlu.yml
# (an NLU-only model on all of data/nlu, from the model cache when unchanged), then the words
# whose presence alone predicts an intent in data/nlu.
nlu-report: install
	$(PY) -m bench.nlu_report
	$(PY) -m bench.nlu_shortcuts

train: $(MODEL)

# Trains only when no model of the same inputs is cached outside the clone (devtools/model_cache.py).
$(MODEL): $(TRAINING_INPUTS) | install
	$(PY) -m devtools.model_cache

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@set -e; if [ ! -x $(PY) ]; then \
	  py310=$$(scripts/find-python310.sh); \
	  echo "creating $(VENV) with $$py310"; \
	  "$$py310" -m venv $(VENV); \
	fi
	@$(PY) -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install -q --python $(PY) -r requirements.lock
	$(BIN)/uv pip install -q --python $(PY) --no-deps -e .
	@touch $@

system:
	@scripts/ensure-system-packages.sh

# `npm ci` from the committed lock: exactly the pinned axe-core, no install scripts.
axe: $(AXE_JS)

$(AXE_JS): tools/axe/package.json tools/axe/package-lock.json | system
	cd tools/axe && npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

# Regenerate the lock after changing pyproject.toml dependencies.
lock: $(PY)
	$(BIN)/uv pip compile --python-version 3.10 --extra dev --extra test pyproject.toml -o requirements.lock --no-header -q

clean:
	rm -rf $(VENV) models var .pytest_cache test-artifacts tools/axe/node_modules
