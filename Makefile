# Entry points. `make help` lists them. Every target sets up what it needs first.
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= .data
RASA_ARGS := --domain domain --data stories
ASSISTANT := $(BIN)/assistant --data-dir $(DATA)
HA_VENV ?= .venv-ha
HA_PYTEST := ASSISTANT_DATA=$(DATA) $(HA_VENV)/bin/pytest -c ha/pytest.ini --rootdir ha -q -p no:sugar --durations=5 ha/ha_tests

.PHONY: help setup ha-setup ha-test train chat demo test lint unit validate test-stories shell bench eval-nlu clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup:  ## Create the Python 3.10 venv and install (skipped when nothing changed)
	@bash scripts/setup.sh

train: setup  ## Train the Rasa model (skipped when its inputs did not change)
	@$(ASSISTANT) train

chat: train  ## Set everything up and start the interactive chat
	@$(ASSISTANT) chat

demo: train  ## A short scripted conversation, no input needed
	@$(ASSISTANT) demo

test: setup  ## Set everything up, lint, and run the whole test suite (the Home Assistant tests too)
	@$(MAKE) --no-print-directory -j3 lint train ha-setup   # linters, Rasa training and the HA venv side by side
	@$(BIN)/pytest -q -n logical --dist loadfile --durations=15   # a worker process per core, whole files each
	@$(HA_PYTEST)   # the Home Assistant tests (see ha-test), with the venv and model made above

ha-setup:  ## Create the Python 3.13 venv for the Home Assistant tests (skipped when nothing changed)
	@HA_VENV=$(HA_VENV) bash scripts/setup_ha.sh

ha-test: ha-setup train  ## The Home Assistant integration's tests: a real HA core, a real assistant serve
	@$(HA_PYTEST)

lint: setup  ## ruff, the import layers (lint-imports) and mypy (strict on the turn's path); see pyproject.toml
	@$(BIN)/ruff check assistant simulator lab tests scripts custom_components ha
	@$(BIN)/lint-imports
	@$(BIN)/mypy

unit: setup  ## Unit tests only (no trained model needed)
	@$(BIN)/pytest -q -m "not stack"

validate: setup  ## rasa data validate on domain/ and stories/
	@$(BIN)/rasa data validate $(RASA_ARGS) --config config.yml

test-stories: train  ## rasa test core on the test stories (starts the action server)
	@$(BIN)/assistant --data-dir $(DATA) test-stories

shell: train  ## rasa shell on the trained model (starts the action server)
	@$(ASSISTANT) rasa-shell

bench: train  ## Turn latency: full stack vs bare Rasa
	@$(ASSISTANT) bench

eval-nlu: train  ## Intent accuracy on the SLURP development set
	@$(ASSISTANT) eval-nlu --slurp ../shared/data/slurp/devel.jsonl

clean:  ## Remove trained models and SQLite files (keeps the venv)
	rm -rf $(DATA)
