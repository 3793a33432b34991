# One command per target. The first `make` of any target makes .venv (again when
# pyproject.toml changes): `make labs` or `make test` on a fresh clone is the set-up.
PYTHON ?= python3
BIN := .venv/bin
STAMP := .venv/.installed
LAB := $(BIN)/python labs
# Extra flags for every lab target, e.g. make labs FLAGS="--seeds 3".
FLAGS ?=

.PHONY: install test test-all test-jax lint tensorboard clean bench results stale timings labs \
	labs-more lab-backprop lab-formulas lab-gradient-descent book-activations \
	book-batchnorm-gradient \
	lab-softmax lab-layer3 lab-layer5 lab-tensorboard lab-initializer \
	lab-regularization lab-batchnorm lab-cost lab-activation lab-learning-rate \
	lab-optimizer lab-dropout lab-search lab-best textbook book-optimizers book-init \
	book-batchnorm book-weight-decay book-dropout book-search papers paper-adam \
	paper-glorot paper-batchnorm paper-dropout paper-dropout-rate

$(STAMP): pyproject.toml
	$(PYTHON) -m venv .venv
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# Install (again) whether or not anything changed.
install:
	rm -f $(STAMP)
	$(MAKE) $(STAMP)

# The quick set (without the slow tests: real processes, Ctrl-C, search workers).
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n 2 --dist loadgroup

# Everything, the slow set too (real processes, Ctrl-C, search workers), then the
# quick lab runs on JAX: what CI runs.
test-all: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup
	$(MAKE) test-jax

# Every lab's quick run (and one with TensorBoard on) on Keras' JAX backend, its
# compiled loop against Keras' own, and the model, training and probe tests.
test-jax: $(STAMP)
	KERAS_BACKEND=jax $(BIN)/python -m pytest -q -n 2 -m "not slow" \
		tests/test_labs.py tests/test_textbook.py tests/test_papers.py tests/test_jax.py \
		tests/test_model.py tests/test_training.py tests/test_probe.py tests/test_scratch.py \
		tests/test_plain_keras.py

lint: $(STAMP)
	$(BIN)/ruff check dnnlab labs tests scripts bench
	$(BIN)/ruff format --check dnnlab labs tests scripts bench

# Seconds per epoch against plain Keras and the hardware floor; writes BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python bench/bench.py

tensorboard: $(STAMP)
	$(BIN)/python scripts/quiet_tensorboard.py --logdir logs

clean:
	rm -rf logs/*/ .pytest_cache .ruff_cache build *.egg-info

# Every lab under 3 seeds whose saved results (docs/results/) are stale, i.e. whose
# code would now give other numbers, then the figures, RESULTS.md and the README's
# table from the saved numbers.
results: $(STAMP)
	$(BIN)/python scripts/results.py

# Which labs' saved results are stale, and why (a few minutes: each lab is probed).
stale: $(STAMP)
	$(BIN)/python scripts/results.py --stale

# How long `make labs` takes here, lab by lab, into the README (as long as make labs).
timings: $(STAMP)
	$(BIN)/python scripts/timings.py

# The seven exercises of the slides.
labs: lab-softmax lab-layer3 lab-layer5 lab-tensorboard lab-initializer \
	lab-regularization lab-batchnorm

# The rest of the lecture, one lab per topic.
labs-more: lab-backprop lab-formulas lab-cost lab-activation lab-gradient-descent \
	lab-learning-rate lab-optimizer lab-dropout lab-search

lab-backprop: $(STAMP)
	$(LAB)/DNN_backprop.py $(FLAGS)

lab-formulas: $(STAMP)
	$(LAB)/DNN_formulas.py $(FLAGS)

lab-gradient-descent: $(STAMP)
	$(LAB)/DNN_gradient_descent.py $(FLAGS)

lab-softmax: $(STAMP)
	$(LAB)/DNN_softmax.py $(FLAGS)

lab-layer3: $(STAMP)
	$(LAB)/DNN_deep_hidden_layer3.py $(FLAGS)

lab-layer5: $(STAMP)
	$(LAB)/DNN_deep_hidden_layer5.py $(FLAGS)

lab-tensorboard: $(STAMP)
	$(LAB)/DNN_deep_hidden_layer5_tensorboard.py $(FLAGS)

lab-initializer: $(STAMP)
	$(LAB)/DNN_initializer.py $(FLAGS)

lab-regularization: $(STAMP)
	$(LAB)/DNN_regularization.py $(FLAGS)

lab-batchnorm: $(STAMP)
	$(LAB)/DNN_batch_normalization.py $(FLAGS)

lab-cost: $(STAMP)
	$(LAB)/DNN_cost_function.py $(FLAGS)

lab-activation: $(STAMP)
	$(LAB)/DNN_activation.py $(FLAGS)

lab-learning-rate: $(STAMP)
	$(LAB)/DNN_learning_rate.py $(FLAGS)

lab-optimizer: $(STAMP)
	$(LAB)/DNN_optimizer.py $(FLAGS)

lab-dropout: $(STAMP)
	$(LAB)/DNN_dropout.py $(FLAGS)

# The capstone: the lecture's tools together, past 98.8 % (100 epochs of a 2 × 1,024 net).
lab-best: $(STAMP)
	$(LAB)/DNN_best.py $(FLAGS)

lab-search: $(STAMP)
	$(LAB)/DNN_hyperparameter_search.py $(FLAGS)

# Chapter 6 of the textbook (Deep Learning from Scratch), one lab per figure.
textbook: book-optimizers book-activations book-init book-batchnorm-gradient \
	book-batchnorm book-weight-decay book-dropout book-search

book-optimizers: $(STAMP)
	$(LAB)/textbook/optimizer_compare_mnist.py $(FLAGS)

book-activations: $(STAMP)
	$(LAB)/textbook/weight_init_activation_histogram.py $(FLAGS)

book-init: $(STAMP)
	$(LAB)/textbook/weight_init_compare.py $(FLAGS)

book-batchnorm-gradient: $(STAMP)
	$(LAB)/textbook/batch_norm_gradient_check.py $(FLAGS)

book-batchnorm: $(STAMP)
	$(LAB)/textbook/batch_norm_test.py $(FLAGS)

book-weight-decay: $(STAMP)
	$(LAB)/textbook/overfit_weight_decay.py $(FLAGS)

book-dropout: $(STAMP)
	$(LAB)/textbook/overfit_dropout.py $(FLAGS)

book-search: $(STAMP)
	$(LAB)/textbook/hyperparameter_optimization.py $(FLAGS)

# The papers behind the lecture, their MNIST figures (labs/papers/).
papers: paper-adam paper-glorot paper-batchnorm paper-dropout paper-dropout-rate

paper-adam: $(STAMP)
	$(LAB)/papers/kingma2015_fig2.py $(FLAGS)

paper-glorot: $(STAMP)
	$(LAB)/papers/glorot2010_fig2.py $(FLAGS)

paper-batchnorm: $(STAMP)
	$(LAB)/papers/ioffe2015_fig1.py $(FLAGS)

paper-dropout: $(STAMP)
	$(LAB)/papers/srivastava2014_table2.py $(FLAGS)

paper-dropout-rate: $(STAMP)
	$(LAB)/papers/srivastava2014_fig9.py $(FLAGS)
