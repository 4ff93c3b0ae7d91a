# lambda-host: `make serve` and `make test` work on a fresh machine with Docker.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The project with what it needs to run (make serve), and with what its tests need too (make test).
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
TEMPLATE ?= sample_functions/template.yaml
PYTEST_ARGS ?=

.PHONY: setup images serve test test-cluster lint run-function bench load clean-containers browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

# The virtualenv with the test tools, then every runtime image that is missing (built from Debian's archive).
setup: $(TEST_STAMP) images

images: $(STAMP)
	$(BIN)/lambda-host images build

# Serves as soon as the template's runtime images are built; the others are built in the background.
serve: $(STAMP)
	$(BIN)/lambda-host serve --template $(TEMPLATE)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The console's browser tests drive Debian's Chromium; Graphviz lays out state machine graphs (the
# console draws them without it too, so `make serve` needs neither).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v dot >/dev/null 2>&1; then \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo -n"; \
	  $$SUDO apt-get update -q || true; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium graphviz; \
	fi

test: setup lint browser
	$(BIN)/pytest $(PYTEST_ARGS)

# A Swarm of three nested Docker daemons (root, a minute to start): tests/cluster, kept out of `make test`.
test-cluster: setup
	$(BIN)/pytest tests/cluster $(PYTEST_ARGS)

# make run-function FUNCTION=echo EVENT=event.json
run-function: $(STAMP)
	$(BIN)/lambda-host invoke $(FUNCTION) --template $(TEMPLATE) $(if $(EVENT),--event $(EVENT))

bench: setup
	$(BIN)/python tests/bench.py

# 50 clients, 20,000 mixed invokes under concurrency limits; a few minutes, so not in `make test`.
load: setup
	$(BIN)/python tests/load.py

# Removes every container any lambda-host left behind (they all carry this label).
clean-containers:
	docker ps -aq --filter label=lambda-host=1 | xargs -r docker rm -f
