# Entry points. `make help` lists them. Every target sets up what it needs first.
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= .data
RASA_ARGS := --domain domain --data stories
ASSISTANT := $(BIN)/assistant --data-dir $(DATA)

.PHONY: help setup train chat demo test lint unit validate test-stories shell bench eval-nlu clean

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

test: setup  ## Set everything up, lint, and run the whole test suite
	@$(MAKE) --no-print-directory -j2 lint train   # the linters beside the Rasa training (2 cores)
	@$(BIN)/pytest -q --durations=15

lint: setup  ## ruff, the import layers (lint-imports) and mypy (strict on the turn's path); see pyproject.toml
	@$(BIN)/ruff check assistant simulator lab tests scripts
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
