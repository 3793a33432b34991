"""Every lab module once, in the lecture's order, with its make target and group.

The Makefile (its pattern rules run `python dnnlab/registry.py run TARGET`),
scripts/results.py (RESULTS.md's sections, the README's table), scripts/timings.py
and the tests read this list; a new lab is its file plus one entry. What a lab
declares (its text, claim, quick flags, renamed flags) is its module's LAB, which
Entry.declaration() imports. Standard library only at import, and runnable as a
file: the Makefile calls it with any Python, which may have no Keras.

Usage: python dnnlab/registry.py targets [GROUP] | run TARGET [FLAGS…]
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
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
class Entry:
    path: str  # under labs/, without .py: DNN_softmax, textbook/overfit_dropout
    target: str  # its make target
    group: str  # one of GROUPS

    @property
    def section(self) -> str:
        return GROUPS[self.group]

    @property
    def file(self) -> Path:
        return LABS_DIR / f"{self.path}.py"

    @property
    def module(self) -> str:
        """The name its module is imported as."""
        return "lab_" + self.path.replace("/", "__")

    def declaration(self):
        """The lab's LAB (a dnnlab.Lab), from its module, imported once: nothing
        trains and no data loads."""
        if self.module not in sys.modules:
            spec = importlib.util.spec_from_file_location(self.module, self.file)
            module = importlib.util.module_from_spec(spec)
            sys.modules[self.module] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[self.module]
                raise
        return sys.modules[self.module].LAB


LABS = [
    Entry("DNN_backprop", "lab-backprop", "labs-more"),
    Entry("DNN_formulas", "lab-formulas", "labs-more"),
    Entry("DNN_softmax", "lab-softmax", "labs"),
    Entry("DNN_cost_function", "lab-cost", "labs-more"),
    Entry("DNN_deep_hidden_layer3", "lab-layer3", "labs"),
    Entry("DNN_deep_hidden_layer5", "lab-layer5", "labs"),
    Entry("DNN_deep_hidden_layer5_tensorboard", "lab-tensorboard", "labs"),
    Entry("DNN_activation", "lab-activation", "labs-more"),
    Entry("DNN_gradient_descent", "lab-gradient-descent", "labs-more"),
    Entry("DNN_learning_rate", "lab-learning-rate", "labs-more"),
    Entry("DNN_optimizer", "lab-optimizer", "labs-more"),
    Entry("DNN_initializer", "lab-initializer", "labs"),
    Entry("DNN_regularization", "lab-regularization", "labs"),
    Entry("DNN_batch_normalization", "lab-batchnorm", "labs"),
    Entry("DNN_dropout", "lab-dropout", "labs-more"),
    Entry("DNN_hyperparameter_search", "lab-search", "labs-more"),
    Entry("DNN_best", "lab-best", "capstone"),
    Entry("textbook/optimizer_compare_mnist", "book-optimizers", "textbook"),
    Entry("textbook/weight_init_activation_histogram", "book-activations", "textbook"),
    Entry("textbook/weight_init_compare", "book-init", "textbook"),
    Entry("textbook/batch_norm_gradient_check", "book-batchnorm-gradient", "textbook"),
    Entry("textbook/batch_norm_test", "book-batchnorm", "textbook"),
    Entry("textbook/overfit_weight_decay", "book-weight-decay", "textbook"),
    Entry("textbook/overfit_dropout", "book-dropout", "textbook"),
    Entry("textbook/hyperparameter_optimization", "book-search", "textbook"),
    Entry("papers/kingma2015_fig2", "paper-adam", "papers"),
    Entry("papers/glorot2010_fig2", "paper-glorot", "papers"),
    Entry("papers/ioffe2015_fig1", "paper-batchnorm", "papers"),
    Entry("papers/srivastava2014_table2", "paper-dropout", "papers"),
    Entry("papers/srivastava2014_fig9", "paper-dropout-rate", "papers"),
]
BY_PATH = {lab.path: lab for lab in LABS}
BY_TARGET = {lab.target: lab for lab in LABS}


def section(name: str) -> list[Entry]:
    """The labs of one RESULTS.md section (lecture, textbook, papers), in order."""
    return [lab for lab in LABS if lab.section == name]


def group(name: str) -> list[Entry]:
    return [lab for lab in LABS if lab.group == name]


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
