# lambda-host: `make serve` and `make test` work on a fresh machine with Docker.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEMPLATE ?= sample_functions/template.yaml
PYTEST_ARGS ?=

.PHONY: setup images serve test lint run-function bench load clean-containers

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The virtualenv, then every runtime image that is missing (built from Debian's archive).
setup: $(STAMP) images

images: $(STAMP)
	$(BIN)/lambda-host images build

serve: setup
	$(BIN)/lambda-host serve --template $(TEMPLATE)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/pytest $(PYTEST_ARGS)

# make run-function FUNCTION=echo EVENT=event.json
run-function: setup
	$(BIN)/lambda-host invoke $(FUNCTION) --template $(TEMPLATE) $(if $(EVENT),--event $(EVENT))

bench: setup
	$(BIN)/python tests/bench.py

# 50 clients, 20,000 mixed invokes under concurrency limits; a few minutes, so not in `make test`.
load: setup
	$(BIN)/python tests/load.py

# Removes every container any lambda-host left behind (they all carry this label).
clean-containers:
	docker ps -aq --filter label=lambda-host=1 | xargs -r docker rm -f
