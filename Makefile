# One command per target. `make install && make test` is the whole set-up.
PYTHON ?= python3
BIN := .venv/bin
LAB := $(BIN)/python labs

.PHONY: install test lint tensorboard clean labs

install:
	$(PYTHON) -m venv .venv
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'

test:
	$(BIN)/python -m pytest -q

lint:
	$(BIN)/ruff check dnnlab labs tests

tensorboard:
	$(BIN)/tensorboard --logdir logs

clean:
	rm -rf logs/*/ .pytest_cache .ruff_cache build *.egg-info
