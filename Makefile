# One command per target. The first `make` of any target makes .venv (again when
# pyproject.toml changes): `make labs` or `make test` on a fresh clone is the set-up.
PYTHON ?= python3
BIN := .venv/bin
STAMP := .venv/.installed
# Extra flags for every lab target, e.g. make labs FLAGS="--seeds 3".
FLAGS ?=

.PHONY: install test test-all test-jax lint tensorboard clean bench results stale timings labs \
	labs-more textbook papers notebooks notebooks-run exercises check release \
	screenshots explorer-timings messages

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
# quick lab runs on JAX: what CI runs. Each lab's quick run happens once per
# backend, in a Jupyter kernel from its notebook: its own tests and its notebook's
# look at that one run (DNNLAB_QUICK_IN_KERNEL; make test runs it in-process).
test-all: $(STAMP)
	DNNLAB_QUICK_IN_KERNEL=1 $(BIN)/python -m pytest -q -n 2 --dist loadgroup
	$(MAKE) test-jax

# Every lab's quick run (and one with TensorBoard on) on Keras' JAX backend, in a
# Jupyter kernel from its notebook, its compiled loop against Keras' own, the
# model, training and probe tests, and the exercise notebooks in a kernel.
test-jax: $(STAMP)
	DNNLAB_QUICK_IN_KERNEL=1 KERAS_BACKEND=jax $(BIN)/python -m pytest -q -n 2 \
		--dist loadgroup -m "not slow or kernel" \
		tests/test_labs.py tests/test_textbook.py tests/test_papers.py tests/test_jax.py \
		tests/test_model.py tests/test_training.py tests/test_probe.py tests/test_scratch.py \
		tests/test_plain_keras.py tests/test_exercises.py tests/test_notebooks.py

lint: $(STAMP)
	$(BIN)/ruff check dnnlab labs tests scripts bench
	$(BIN)/ruff format --check dnnlab labs tests scripts bench

# Seconds per epoch against plain Keras and the hardware floor; writes BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python bench/bench.py

# Every lab as a notebook in notebooks/ (only where its lab changed), the exercise
# notebooks in notebooks/exercises/ (committed), and the seven slide labs' notebooks
# executed with their defaults (committed so).
notebooks: $(STAMP)
	$(BIN)/python scripts/notebooks.py
	$(BIN)/python scripts/make_exercises.py --notebooks

notebooks-run: notebooks
	$(BIN)/python scripts/notebooks.py run

# The bowl explorer driven in JupyterLab by a real browser (Playwright, Debian's
# chromium): docs/figures/explorer_bowl_before.png and _after.png; and a Korean
# notebook there, docs/figures/jupyterlab_ko.png (needs fonts-nanum too). Needs
# pip install -e '.[browser]' and apt-get install chromium.
screenshots: $(STAMP)
	$(BIN)/python scripts/explorer_screenshots.py
	$(BIN)/python scripts/korean_screenshot.py

# Every message dnnlab shows into the catalog (dnnlab/locale/), the Korean .po
# updated (new messages: empty, to translate) and compiled to the .mo dnnlab reads.
messages: $(STAMP)
	$(BIN)/python scripts/messages.py

# Each explorer's redraw time (median of 5) on this machine.
explorer-timings: $(STAMP)
	$(BIN)/python scripts/explorer_timings.py

# The exercises where a student works: exercises/scratch.py, to fill in, and a
# notebook per topic, made from dnnlab/scratch.py (the solution); a file already
# there is kept. make check: a line per function of exercises/scratch.py (or FILE=…).
# In Korean: make exercises LANG=ko (the docstrings, hints and check lines).
exercises: $(STAMP)
	$(BIN)/python scripts/make_exercises.py

# LIMIT: the seconds each function's code may take in its check (default 10).
# The student edition a course hands out: release/, without the solution
# (scripts/release.py). Grading a class: python -m dnnlab.grade (docs/teaching.md).
release: $(STAMP)
	$(BIN)/python scripts/release.py

FILE ?= exercises/scratch.py
LIMIT ?= 10
check: $(STAMP)
	$(BIN)/python -m dnnlab.exercises --time-limit $(LIMIT) $(FILE)

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

# The labs: one pattern rule per kind runs a lab by its target (make lab-softmax,
# make book-init, make paper-adam…); the targets, their groups and order are the
# list of labs, dnnlab/registry.py (a new lab is its file plus one entry there).
REGISTRY := dnnlab/registry.py
labs-of = $(shell $(PYTHON) $(REGISTRY) targets $(1))

lab-%: $(STAMP)
	$(BIN)/python $(REGISTRY) run $@ $(FLAGS)

book-%: $(STAMP)
	$(BIN)/python $(REGISTRY) run $@ $(FLAGS)

paper-%: $(STAMP)
	$(BIN)/python $(REGISTRY) run $@ $(FLAGS)

# The seven exercises of the slides.
labs: $(call labs-of,labs)

# The rest of the lecture, one lab per topic; lab-best is the capstone (the
# lecture's tools together, past 98.8 %: 100 epochs of a 2 × 1,024 net).
labs-more: $(call labs-of,labs-more)

# Chapter 6 of the textbook (Deep Learning from Scratch), one lab per figure.
textbook: $(call labs-of,textbook)

# The papers behind the lecture, their MNIST figures (labs/papers/).
papers: $(call labs-of,papers)
