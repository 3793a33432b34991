# One command per target. `make install && make test` is the whole set-up.
PYTHON ?= python3
BIN := .venv/bin
LAB := $(BIN)/python labs

.PHONY: install test lint tensorboard clean labs lab-softmax lab-layer3 lab-layer5 \
	lab-tensorboard lab-initializer lab-regularization lab-batchnorm

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

labs: lab-softmax lab-layer3 lab-layer5 lab-tensorboard lab-initializer \
	lab-regularization lab-batchnorm

lab-softmax:
	$(LAB)/DNN_softmax.py

lab-layer3:
	$(LAB)/DNN_deep_hidden_layer3.py

lab-layer5:
	$(LAB)/DNN_deep_hidden_layer5.py

lab-tensorboard:
	$(LAB)/DNN_deep_hidden_layer5_tensorboard.py

lab-initializer:
	$(LAB)/DNN_initializer.py

lab-regularization:
	$(LAB)/DNN_regularization.py

lab-batchnorm:
	$(LAB)/DNN_batch_normalization.py
