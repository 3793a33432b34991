# One command per target. `make install && make test` is the whole set-up.
PYTHON ?= python3
BIN := .venv/bin
LAB := $(BIN)/python labs

.PHONY: install test lint tensorboard clean bench results lab-table labs lab-softmax lab-layer3 lab-layer5 \
	lab-tensorboard lab-initializer lab-regularization lab-batchnorm labs-more \
	lab-cost lab-activation lab-learning-rate lab-optimizer lab-dropout lab-search

install:
	$(PYTHON) -m venv .venv
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'

test:
	$(BIN)/python -m pytest -q

lint:
	$(BIN)/ruff check dnnlab labs tests scripts bench

# Seconds per epoch against plain Keras and the hardware floor; writes BENCHMARKS.md.
bench:
	$(BIN)/python bench/bench.py

tensorboard:
	$(BIN)/tensorboard --logdir logs

clean:
	rm -rf logs/*/ .pytest_cache .ruff_cache build *.egg-info

# Every lab whose saved results are older than its code, then RESULTS.md (and the
# README's lab table) from the runs; about 35 minutes on 2 cores when all must run.
results:
	$(BIN)/python scripts/results.py

# Every lab at its defaults; writes the README's lab table from the results.
lab-table:
	$(BIN)/python scripts/lab_table.py

# The seven exercises of the slides.
labs: lab-softmax lab-layer3 lab-layer5 lab-tensorboard lab-initializer \
	lab-regularization lab-batchnorm

# The rest of the lecture, one lab per topic.
labs-more: lab-cost lab-activation lab-learning-rate lab-optimizer lab-dropout \
	lab-search

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

lab-cost:
	$(LAB)/DNN_cost_function.py

lab-activation:
	$(LAB)/DNN_activation.py

lab-learning-rate:
	$(LAB)/DNN_learning_rate.py

lab-optimizer:
	$(LAB)/DNN_optimizer.py

lab-dropout:
	$(LAB)/DNN_dropout.py

lab-search:
	$(LAB)/DNN_hyperparameter_search.py
