import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, about, above, measures, msg, plots

import numpy as np

base = Config(
    name="srivastava2014_fig9",
    hidden_units=(1024, 1024),
    activation="relu",
    initializer="he",
    optimizer="adam",
    learning_rate=0.001,
    lr_schedule="cosine",
    batch_size=128,
    epochs=5,
    checkpoint=False,
)
RETAIN = (0.1, 0.2, 0.4, 0.6, 0.8, 1.0)
variants = {f"p_{p:g}": base.replace(dropout=round(1 - p, 2)) for p in RETAIN}


def figure(results, path):
    plt = plots.pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, key, style in (
        (msg("training error"), "train_accuracy", "--"),
        (msg("test error"), None, "o-"),
    ):
        errors = [
            np.mean(
                [
                    1 - (r.train_accuracy if key else r.test_accuracy)
                    for r in results[f"p_{p:g}"]
                ]
            )
            for p in RETAIN
        ]
        ax.plot(RETAIN, np.array(errors) * 100, style, label=plots.words(label))
    ax.set(
        xlabel=plots.words(msg("probability of retaining a hidden unit (p)")),
        ylabel=plots.words(msg("error (%)")),
    )
    title = msg("Srivastava et al. 2014, Fig. 9 (a), on this machine")
    ax.set_title(plots.words(title), fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return plots.save(fig, path)


def claim(results) -> Claim:
    def err(p):
        return results[f"p_{p:g}"].stat(measures.error)

    return Claim(
        "the test error is high when few units are kept (p < 0.4), flat between 0.4 "
        "and 0.8, and higher again without dropout (p = 1)",
        [
            above("test error: p = 0.1 > p = 0.6", err(0.1), err(0.6)),
            above("test error: p = 0.2 > p = 0.6", err(0.2), err(0.6)),
            about("flat: test error p = 0.4 ≈ p = 0.8", err(0.4), err(0.8), 0.003),
            above("test error: p = 1 > p = 0.6", err(1.0), err(0.6)),
        ],
    )


LAB = Lab(
    title="How much to drop (Srivastava et al. 2014, Fig. 9)",
    paper=(
        'Srivastava et al., "Dropout: A Simple Way to Prevent Neural Networks '
        'from Overfitting", JMLR 2014, §7.3 and Fig. 9 (a): MNIST, a '
        "784-2048-2048-2048-10 net with the probability p of retaining a hidden "
        "unit swept from 0.1 to 1, the layer widths fixed: the test error is high "
        "for p < 0.4 (underfitting), flat between 0.4 and 0.8, and rises toward p "
        "= 1 (no dropout, overfitting)."
    ),
    description=(
        "the sweep on a 784-1024-1024-10 ReLU net (2 cores), p in {0.1, 0.2, 0.4, "
        "0.6, 0.8, 1} on the hidden layers, no input dropout, 5 epochs of Adam "
        "with a cosine schedule; dnnlab's dropout is 1 − p. The test set is "
        "evaluated once per run."
    ),
    usage=("python labs/papers/srivastava2014_fig9.py [--seeds 3] [--epochs 5]"),
    variants=variants,
    claim=claim,
    prediction=Prediction(
        ("The test error against p, the probability of keeping a unit: what shape?"),
        (
            "high below 0.4, flat from 0.4 to 0.8, higher again at 1",
            "another shape",
        ),
        holds="high below 0.4, flat from 0.4 to 0.8, higher again at 1",
        fails="another shape",
    ),
    target=0.98,
    figures={"fig9.png": figure},
)


if __name__ == "__main__":
    LAB.run()
