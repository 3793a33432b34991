import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

import time

from dnnlab import Claim, Config, Lab, Prediction, above, below, column, msg, num
from dnnlab import scratch as s
from dnnlab.explore import MU, START, Rule, gradient, height, walk

import numpy as np

base = Config(
    name="DNN_gradient_descent",
    hidden_units=(),
    optimizer="sgd",
    steps=30,
    validation_split=0,
    checkpoint=False,
    tensorboard=False,
)
variants = {
    "gd_too_small": base.replace(learning_rate=0.1),
    "gd_usual": base.replace(learning_rate=0.95),  # the book's SGD
    "gd_too_large": base.replace(learning_rate=1.05),
    "momentum": base.replace(optimizer="momentum", learning_rate=0.1),
    "nesterov": base.replace(optimizer="nesterov", learning_rate=0.1),
    "adagrad": base.replace(optimizer="adagrad", learning_rate=1.5),
    "rmsprop": base.replace(optimizer="rmsprop", learning_rate=0.3),
    "adam": base.replace(optimizer="adam", learning_rate=0.3),
}


def textbook(rule, lr):
    """One step (w, g, state, t) -> (w, state) as the book's common/optimizer.py
    writes it: AdaGrad's and RMSProp's ε outside the root and their sums starting at
    0, RMSProp's ρ 0.99, Nesterov in the book's form (its v already updated)."""

    def step(w, g, st, t):
        if rule == "sgd":
            return w - lr * g, st
        if rule in ("momentum", "nesterov"):
            v = MU * st - lr * g
            if rule == "momentum":
                return w + v, v
            return w + MU * MU * v - (1 + MU) * lr * g, v
        if rule in ("adagrad", "rmsprop"):
            h = st + g * g if rule == "adagrad" else 0.99 * st + 0.01 * g * g
            return w - lr * g / (np.sqrt(h) + 1e-7), h
        m, v = st
        m, v = m + 0.1 * (g - m), v + 0.001 * (g * g - v)
        alpha = lr * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        return w - alpha * m / (np.sqrt(v) + 1e-7), (m, v)

    zero = (np.zeros(2), np.zeros(2)) if rule == "adam" else np.zeros(2)
    return step, zero


def fit(name, config, data, run_dir):
    from dnnlab.backend import keras
    from dnnlab.model import optimizer
    from dnnlab.result import Result

    started, n = time.perf_counter(), config.steps
    rule = config.optimizer
    # by hand in Keras' convention (dnnlab/scratch.py), Keras' defaults
    hand = Rule(rule, config.learning_rate, accumulator=config.adagrad_accumulator)
    own = optimizer(config)  # dnnlab's: Keras' own, but a fused Adam
    plain = keras.optimizers.Adam(config.learning_rate) if rule == "adam" else None
    paths = {
        "textbook": walk(*textbook(rule, config.learning_rate), n),
        "by hand": walk(*hand.step(), n),
    }
    # Keras' optimizers on two float64 variables (float32 on JAX without x64)
    paths["Keras"], dtype = s.keras_path(plain or optimizer(config), START, gradient, n)
    paths["dnnlab"], _ = s.keras_path(own, START, gradient, n)
    formula = walk(*hand.step(as_keras=False), n)
    gap = {k: float(np.abs(p - paths["Keras"]).max()) for k, p in paths.items()}
    distance = np.linalg.norm(paths["by hand"], axis=1)
    extras = {
        "distance": (distance / distance[0]).tolist(),
        "hand_vs_keras": gap["by hand"],
        "textbook_vs_keras": gap["textbook"],
        "dnnlab_vs_keras": gap["dnnlab"],
        "formula_vs_keras": float(np.abs(formula - paths["Keras"]).max()),
        "dnnlab_vs_formula": float(np.abs(formula - paths["dnnlab"]).max()),
        "fused": type(own).__name__ == "FusedAdam"
        and keras.backend.backend() == "tensorflow",
        "dtype": dtype,
        "paths": {k: p.tolist() for k, p in paths.items()},
    }
    return Result.measured(config, run_dir, extras, time.perf_counter() - started)


def figure(results, path):
    """Each variant's paths on the bowl's contour, as the book draws them."""
    from dnnlab import plots

    plt = plots.pyplot()
    fig, axes = plt.subplots(2, 4, figsize=(14, 6.4), sharex=True, sharey=True)
    x, y = np.meshgrid(np.linspace(-10, 10, 300), np.linspace(-5, 5, 200))
    # the paths' legend in words; "Keras" and "dnnlab" are names
    named = {"textbook": msg("textbook"), "by hand": msg("by hand")}
    for ax, (name, seeds) in zip(axes.flat, results.items(), strict=False):
        ax.contour(x, y, height(x, y), levels=[0.1, 0.5, 1, 2, 3, 4, 5, 7], alpha=0.5)
        for i, (kind, p) in enumerate(seeds[0].extras["paths"].items()):
            p = np.clip(np.array(p), -10, 10)  # a diverging path leaves the frame
            look = {**plots.style(i), "ms": 4, "lw": 1}
            ax.plot(p[:, 0], p[:, 1], **look, label=plots.words(named.get(kind, kind)))
        ax.plot(0, 0, "k+", ms=10)
        lr = seeds[0].config.learning_rate
        title = msg("{name} (η {lr:g})", name=name, lr=lr)
        ax.set_title(plots.words(title), fontsize=9)
        ax.set(xlim=(-10, 10), ylim=(-5, 5))
    for ax in axes.flat[len(results) :]:
        ax.set_axis_off()
    axes.flat[0].legend(fontsize=7, loc="lower right")
    bowl = msg(
        "{f} from {start}, {steps} updates",
        f="f(x, y) = x²/20 + y²",
        start="(−7, 2)",
        steps=base.steps,
    )
    fig.suptitle(plots.words(bowl))
    fig.tight_layout()
    return plots.save(fig, path)


def distances(results, path):
    """Each variant's distance to the minimum, step by step (log scale)."""
    from dnnlab import plots

    plt = plots.pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for i, (name, seeds) in enumerate(results.items()):
        d = seeds[0].extras["distance"]
        plots.line(ax, range(len(d)), d, plots.style(i), name, shift=i)
    ax.set(
        yscale="log",
        xlabel=plots.words(msg("update")),
        ylabel=plots.words(msg("distance to the minimum / at start")),
    )
    ax.set_title(
        plots.words(msg("the same bowl: too small crawls, too large overshoots"))
    )
    plots.legend(ax, len(results))
    plots.tidy(ax, integer_x=True)
    return plots.save(fig, path)


def after(r) -> float:
    return r.extras["distance"][-1]


def claim(results) -> Claim:
    rules = list(results.values())
    float64 = all(r.extras["dtype"] == "float64" for seeds in rules for r in seeds)
    seeds = range(min(map(len, rules)))
    worst = [max(group[k].extras["hand_vs_keras"] for group in rules) for k in seeds]
    tolerance = 1e-6 if float64 else 1e-5  # JAX holds float64 as float32 without x64
    return Claim(
        "a rate too small crawls, one too large overshoots more each step; each "
        "update rule written by hand in Keras' convention follows Keras' optimizer",
        [
            above(
                "too small (0.1): still above 50 % of the start's distance after 30",
                results["gd_too_small"].stat(after),
                0.5,
            ),
            above(
                "too large (1.05): farther from the minimum than at the start",
                results["gd_too_large"].stat(after),
                1.0,
            ),
            below(
                "the book's rate (0.95): within 10 % of the start's distance",
                results["gd_usual"].stat(after),
                0.1,
            ),
            below(
                msg(
                    "every rule by hand vs Keras' optimizer, worst over 30 steps "
                    "< {tolerance:g}",
                    tolerance=tolerance,
                ),
                worst,
                tolerance,
                num,
            ),
        ]
        + [
            below(
                msg(
                    "dnnlab's fused Adam vs Adam's formula < {tolerance:g}",
                    tolerance=tolerance,
                ),
                adam.stat("dnnlab_vs_formula"),
                tolerance,
                num,
            )
            for adam in [results["adam"]]
            if all(r.extras["fused"] for r in adam)
        ],
    )


LAB = Lab(
    title=("Gradient descent and the update rules on a bowl, by hand and in Keras"),
    slide=('"Deep Neural Network - Gradient Descent", "Learning Rate", "Optimizer"'),
    book=(
        "chapter 6's optimizer_compare_naive.py (Fig. 6-8): f(x, y) = x²/20 + y² "
        "from (−7, 2), 30 updates each of SGD at 0.95, Momentum at 0.1, AdaGrad "
        "at 1.5 and Adam at 0.3, drawn on the contour: SGD zigzags across the "
        "steep y direction, Momentum rolls like a ball, AdaGrad and Adam damp the "
        "zigzag."
    ),
    description=(
        "gradient descent at a rate too small (0.1), the book's (0.95) and too "
        "large (1.05: the y direction's curvature is 2, so a rate above 1 "
        "overshoots more each step), then each update rule the lecture names (the "
        "book's four and Nesterov at Momentum's rate, RMSProp at Adam's: our "
        "choice) four ways on the same 30 steps: as the textbook writes it "
        "(common/optimizer.py), by hand in Keras' convention (dnnlab/scratch.py), "
        "Keras' own optimizer on two float64 variables, and dnnlab's optimizer "
        "(Keras' but for Adam, which dnnlab fuses on TensorFlow). The bowl has no "
        "randomness: every seed gives the same numbers."
    ),
    usage="python labs/DNN_gradient_descent.py [--variants adam,momentum]",
    variants=variants,
    claim=claim,
    explorers=("explore_bowl",),
    prediction=Prediction(
        (
            "Plain gradient descent on the bowl x²/20 + y² (curvature 2): at 0.1 "
            "does it crawl, at 0.95 arrive, at 1.05 end farther than it started; "
            "and do the rules written by hand follow Keras' optimizers?"
        ),
        (
            "yes, all of these",
            "not all of these",
        ),
        holds="yes, all of these",
        fails="not all of these",
    ),
    fit=fit,
    uses={
        "optimizer": "",
        "learning_rate": "",
        "steps": "updates on the bowl",
        "adagrad_accumulator": "",
        "plain_keras": "Keras' own Adam, not dnnlab's fused one (TensorFlow)",
    },
    mnist=False,  # the bowl is a formula
    columns={
        "distance after 30 / start": column(after, ".3g"),
        "hand vs Keras": column("hand_vs_keras", ".1e"),
        "textbook vs Keras": column("textbook_vs_keras", ".1e"),
        "formula vs Keras": column("formula_vs_keras", ".1e"),
        "dnnlab vs Keras": column("dnnlab_vs_keras", ".1e"),
    },
    figures={"paths.png": figure, "distance.png": distances},
)


if __name__ == "__main__":
    LAB.run()
