"""Every lab once, in the lecture's order: its make target and group, its quick-run
flags (the tests), the flags of the runs behind its saved results, its renamed flags.

The Makefile (its pattern rules run `python dnnlab/registry.py run TARGET`),
scripts/results.py (RESULTS.md's sections, the README's table), scripts/timings.py
and the tests read this list; a new lab is its file plus one entry. Standard library
only, and runnable as a file: the Makefile calls it with any Python.

Usage: python dnnlab/registry.py targets [GROUP] | run TARGET [FLAGS…]
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

LABS_DIR = Path(__file__).resolve().parent.parent / "labs"
# Groups, each a make target that runs its labs in order, and RESULTS.md's section.
GROUPS = {
    "labs": "lecture",  # the slides' seven exercises
    "labs-more": "lecture",  # the rest of the lecture, one lab per topic
    "capstone": "lecture",  # the lecture's tools together (make lab-best)
    "textbook": "textbook",  # chapter 6 of Deep Learning from Scratch
    "papers": "papers",  # the papers' MNIST figures
}


@dataclass(frozen=True)
class Lab:
    path: str  # under labs/, without .py: DNN_softmax, textbook/overfit_dropout
    target: str  # its make target
    group: str  # one of GROUPS
    quick: tuple[str, ...] = ()  # the tests' quick run, beside --limit 600 --epochs 1
    results: tuple[str, ...] = ()  # the saved results' run, beside --seeds 3
    renamed: dict[str, str] = field(default_factory=dict, hash=False)  # old: new

    @property
    def section(self) -> str:
        return GROUPS[self.group]

    @property
    def file(self) -> Path:
        return LABS_DIR / f"{self.path}.py"


LABS = [
    Lab("DNN_backprop", "lab-backprop", "labs-more", ("--steps", "200")),
    Lab("DNN_formulas", "lab-formulas", "labs-more"),
    Lab("DNN_softmax", "lab-softmax", "labs"),
    Lab("DNN_cost_function", "lab-cost", "labs-more"),
    Lab("DNN_deep_hidden_layer3", "lab-layer3", "labs"),
    Lab("DNN_deep_hidden_layer5", "lab-layer5", "labs"),
    Lab("DNN_deep_hidden_layer5_tensorboard", "lab-tensorboard", "labs"),
    Lab("DNN_activation", "lab-activation", "labs-more"),
    Lab("DNN_gradient_descent", "lab-gradient-descent", "labs-more"),
    Lab("DNN_learning_rate", "lab-learning-rate", "labs-more"),
    Lab("DNN_optimizer", "lab-optimizer", "labs-more"),
    Lab("DNN_initializer", "lab-initializer", "labs"),
    Lab("DNN_regularization", "lab-regularization", "labs"),
    Lab("DNN_batch_normalization", "lab-batchnorm", "labs"),
    Lab("DNN_dropout", "lab-dropout", "labs-more"),
    Lab(
        "DNN_hyperparameter_search",
        "lab-search",
        "labs-more",
        ("--trials", "1", "--final-epochs", "1", "--final-limit", "600"),
        results=("--trials", "10", "--final-epochs", "3"),  # budgets for 2 cores
        renamed={"--strategy": "--variants", "--strategies": "--variants"},
    ),
    Lab("DNN_best", "lab-best", "capstone"),
    Lab(
        "textbook/optimizer_compare_mnist",
        "book-optimizers",
        "textbook",
        ("--steps", "30"),
    ),
    Lab("textbook/weight_init_activation_histogram", "book-activations", "textbook"),
    Lab("textbook/weight_init_compare", "book-init", "textbook", ("--steps", "30")),
    Lab(
        "textbook/batch_norm_gradient_check",
        "book-batchnorm-gradient",
        "textbook",
        ("--batch-size", "20"),  # 20 images checked
    ),
    Lab(
        "textbook/batch_norm_test",
        "book-batchnorm",
        "textbook",
        ("--variants", "bn_0.014,plain_0.014", "--epochs", "2"),
    ),
    Lab(
        "textbook/overfit_weight_decay",
        "book-weight-decay",
        "textbook",
        ("--epochs", "2"),
    ),
    Lab("textbook/overfit_dropout", "book-dropout", "textbook", ("--epochs", "2")),
    Lab(
        "textbook/hyperparameter_optimization",
        "book-search",
        "textbook",
        ("--trials", "2", "--epochs", "2"),
    ),
    Lab(
        "papers/kingma2015_fig2",
        "paper-adam",
        "papers",
        ("--variants", "adam_0.001,rmsprop_0.001,adagrad_0.01,nesterov_0.1"),
    ),
    Lab("papers/glorot2010_fig2", "paper-glorot", "papers", ("--steps", "60")),
    Lab("papers/ioffe2015_fig1", "paper-batchnorm", "papers", ("--steps", "120")),
    Lab("papers/srivastava2014_table2", "paper-dropout", "papers"),
    Lab("papers/srivastava2014_fig9", "paper-dropout-rate", "papers"),
]
BY_PATH = {lab.path: lab for lab in LABS}
BY_TARGET = {lab.target: lab for lab in LABS}


def section(name: str) -> list[Lab]:
    """The labs of one RESULTS.md section (lecture, textbook, papers), in order."""
    return [lab for lab in LABS if lab.section == name]


def group(name: str) -> list[Lab]:
    return [lab for lab in LABS if lab.group == name]


def renamed(script: str) -> dict[str, str]:
    """The renamed flags of the lab run as `script` (a path or file name)."""
    stem = Path(script).stem
    return next((lab.renamed for lab in LABS if Path(lab.path).name == stem), {})


def main(argv: list[str]) -> None:
    if argv[:1] == ["targets"]:
        print(" ".join(lab.target for lab in (group(argv[1]) if argv[1:] else LABS)))
    elif argv[:1] == ["run"] and argv[1:2]:
        if argv[1] not in BY_TARGET:
            sys.exit(
                f"make: no lab has the target {argv[1]!r}; the labs' targets: "
                + " ".join(BY_TARGET)
            )
        file = str(BY_TARGET[argv[1]].file)
        os.execv(sys.executable, [sys.executable, file, *argv[2:]])
    else:
        sys.exit(f"usage: {__doc__.splitlines()[-1].removeprefix('Usage: ')}")


if __name__ == "__main__":
    main(sys.argv[1:])
