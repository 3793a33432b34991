import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, below, measures, msg, num, plots

import numpy as np

base = Config(
    name="ioffe2015_fig1",
    hidden_units=(100, 100, 100),
    activation="sigmoid",
    initializer="random_normal",
    init_std=0.01,
    optimizer="sgd",
    learning_rate=0.1,
    batch_size=60,
    steps=50_000,
    validation_split=0,
    checkpoint=False,
)
variants = {"plain": base, "bn": base.replace(batch_norm="before")}


def fit(name, config, data, run_dir):
    """train(), recording the test accuracy and the percentiles 50 times (every
    1,000 steps of the paper's 50,000)."""
    from dnnlab.data import one_hot
    from dnnlab.evaluation import evaluate

    import keras

    sample, test = data.x_train[:1000], (data.x_test, one_hot(data.y_test))

    def record(model):
        # The input to the last hidden layer's sigmoids (after BN if any).
        inputs = keras.Model(model.inputs[0], model.get_layer("act_3").input)
        z = keras.ops.convert_to_numpy(inputs(sample, training=False))[:, 0]
        p15, p50, p85 = np.percentile(z, [15, 50, 85])
        accuracy = evaluate(model, *test)[1]
        return dict(test_accuracy_by_step=accuracy, p15=p15, p50=p50, p85=p85)

    return measures.recorded(config, data, run_dir, record)


def drift(result) -> float:
    """How far the median moves over training, in units of the mean 15–85 width."""
    p15, p50, p85 = (np.array(result.extras[k]) for k in ("p15", "p50", "p85"))
    return float((p50.max() - p50.min()) / np.mean(p85 - p15))


def mean_test_accuracy(result) -> float:
    """The test accuracy averaged over the records: the area under curve (a)."""
    return float(np.mean(result.extras["test_accuracy_by_step"]))


def figure(results, path):
    plt = plots.pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    for name, style in (
        ("plain", dict(color="tab:gray")),
        ("bn", dict(color="tab:blue")),
    ):
        r = results[name][0]
        steps = r.extras["step"]
        accuracy = np.mean(
            [s.extras["test_accuracy_by_step"] for s in results[name]], 0
        )
        label = msg("{name} (mean of {n})", name=name, n=len(results[name]))
        axes[0].plot(steps, accuracy, label=plots.words(label), **style)
        ax = axes[1 if name == "plain" else 2]
        for key in ("p15", "p50", "p85"):
            ax.plot(steps, r.extras[key], **style, lw=1.5 if key == "p50" else 0.8)
        title = msg(
            "({panel}) {name}: sigmoid input, 15/50/85th pct (seed {seed})",
            panel="b" if name == "plain" else "c",
            name=name,
            seed=r.config.seed,
        )
        ax.set_title(plots.words(title), fontsize=9)
    # The paper's axis starts at 0.7; our plain net starts near chance.
    axes[0].set(ylim=(0, 1))
    axes[0].set_title(plots.words(msg("(a) test accuracy")), fontsize=9)
    axes[0].legend(fontsize=8)
    for ax in axes:
        ax.set_xlabel(plots.words(msg("training step")))
        plots.tidy(ax, integer_x=True)
    title = msg("Ioffe & Szegedy 2015, Fig. 1, on this machine")
    fig.suptitle(plots.words(title), fontsize=10)
    return plots.save(fig, path)


def claim(results) -> Claim:
    plain, bn = results["plain"], results["bn"]
    return Claim(
        "with batch normalization the net reaches higher test accuracy sooner, and "
        "the input to a sigmoid of the last hidden layer stays steadier",
        [
            below(
                "test accuracy averaged over training: plain < BN",
                plain.stat(mean_test_accuracy),
                bn.stat(mean_test_accuracy),
            ),
            below(
                "final test accuracy: plain < BN",
                plain.stat("test_accuracy"),
                bn.stat("test_accuracy"),
            ),
            below(
                "median's drift in 15–85 widths: BN < plain",
                bn.stat(drift),
                plain.stat(drift),
                num,
            ),
        ],
    )


LAB = Lab(
    title="Batch normalization's MNIST figure (Ioffe & Szegedy 2015, Fig. 1)",
    paper=(
        'Ioffe & Szegedy, "Batch Normalization: Accelerating Deep Network '
        'Training by Reducing Internal Covariate Shift", ICML 2015, §4.1 and Fig. '
        "1: MNIST, 3 hidden layers of 100 sigmoid units, small random Gaussian "
        "weights, a 10-way softmax with cross-entropy, 50,000 steps of 60 images, "
        "with and without batch normalization after each hidden layer. (a) test "
        "accuracy against steps: with BN higher, sooner; (b, c) the 15th, 50th "
        "and 85th percentiles of the input to one sigmoid of the last hidden "
        "layer over training: without BN they drift in mean and spread, with BN "
        "they stay steady."
    ),
    description=(
        "the paper's set-up in one Config. The paper gives neither optimizer nor "
        "rate: chosen here, plain SGD at 0.1 and weights N(0, 0.01²) (the "
        "lecture's naive start); batch norm's moving averages use momentum 0.9. "
        "Every 1,000 steps: test accuracy (plotted as the paper does; nothing is "
        "selected on it) and the percentiles of unit 1's sigmoid input on 1,000 "
        "fixed training images, the net in inference mode."
    ),
    usage="python labs/papers/ioffe2015_fig1.py [--seeds 3] [--steps 50000]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "With batch normalization: higher test accuracy sooner, and a steadier "
            "input to the last hidden layer's sigmoid?"
        ),
        (
            "yes, both",
            "not both",
        ),
        holds="yes, both",
        fails="not both",
    ),
    target=0.95,
    fit=fit,
    figures={"fig1.png": figure},
    quick=("--steps", "120"),
)


if __name__ == "__main__":
    LAB.run()
