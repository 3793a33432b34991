import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, above, below, msg, num, plots

base = Config(
    name="DNN_initializer",
    hidden_units=(256,) * 5,
    activation="relu",
    optimizer="sgd",
    learning_rate=0.01,
    epochs=5,
)
variants = {
    "normal_0.01": base.replace(initializer="random_normal", init_std=0.01),
    "normal_1.0": base.replace(initializer="random_normal", init_std=1.0),
    "xavier": base.replace(initializer="xavier"),  # std √(1/n)
    "he": base.replace(initializer="he"),  # std √(2/n)
    "xavier_30": base.replace(initializer="xavier", hidden_units=(100,) * 30),
    "he_30": base.replace(initializer="he", hidden_units=(100,) * 30),
}
SHALLOW = ("normal_0.01", "normal_1.0", "xavier", "he")  # the figure's rows


def _sample(data):
    return data.split(base.validation_split)[1][0][:1000]


def activation_std(result, data) -> list[float]:
    """Each hidden layer's activation std at initialization, on 1,000 images."""
    from dnnlab.probe import activations

    return [float(a.std()) for a in activations(result.config, _sample(data))]


def at_initialization(results, path):
    """The slides' figure: each hidden layer's activations before training."""
    from dnnlab import load_mnist
    from dnnlab.probe import activations

    x = _sample(load_mnist())
    acts = {n: activations(s[0].config, x) for n, s in results.items() if n in SHALLOW}
    title = msg("hidden-layer activations at initialization")
    return plots.distributions(acts, path, title)


def kept(seeds):
    """The last hidden layer's activation spread over the first's."""
    return seeds.stat(
        lambda r: r.extras["activation_std"][-1] / r.extras["activation_std"][0]
    )


def claim(results) -> Claim:
    r = results
    return Claim(
        "Xavier and He keep a deep ReLU net's activations spread where a small "
        "normal shrinks them and stalls; He suits ReLU best, and in 30 layers only "
        "He trains",
        [
            below(
                "last / first layer spread: normal 0.01 < 1 %",
                kept(r["normal_0.01"]),
                0.01,
                num,
            ),
            above(
                "last / first layer spread: Xavier > 10 %", kept(r["xavier"]), 0.1, num
            ),
            above(
                "last / first layer spread: He > Xavier",
                kept(r["he"]),
                kept(r["xavier"]),
                num,
            ),
            above(
                "test accuracy: He > Xavier",
                r["he"].stat("test_accuracy"),
                r["xavier"].stat("test_accuracy"),
            ),
            above(
                "test accuracy: Xavier > normal 0.01 (which stalls)",
                r["xavier"].stat("test_accuracy"),
                r["normal_0.01"].stat("test_accuracy"),
            ),
            below(
                "30 layers, last / first layer spread: Xavier < 1 %",
                kept(r["xavier_30"]),
                0.01,
                num,
            ),
            above(
                "30 layers, test accuracy: He > Xavier",
                r["he_30"].stat("test_accuracy"),
                r["xavier_30"].stat("test_accuracy"),
            ),
        ],
    )


LAB = Lab(
    title="Weight initialization — naive normal vs Xavier (Glorot) vs He",
    slide=('"Deep Neural Network - initial weight" (exercise DNN_initializer.py)'),
    description=(
        "one five-layer ReLU net from four starts, trained by plain SGD (rate "
        "0.01, as the textbook's comparison: an adaptive optimizer such as Adam "
        "would rescue a bad start and hide the lesson). A small normal (std 0.01) "
        "shrinks the signal layer by layer and stalls; a large one (std 1) blows "
        "it up; the slide's Xavier (std √(1/n)) and He (std √(2/n)) keep every "
        "layer's activations spread, He fully for ReLU, which halves the "
        "variance. In 30 layers the difference decides (He et al. 2015, Fig. 3): "
        "Xavier's activations shrink about 2^(−L/2) and the net stalls, He's stay "
        "level and it trains. The figure shows the activations of each hidden "
        "layer at initialization."
    ),
    usage="python labs/DNN_initializer.py [--epochs 5] [--seeds 3]",
    variants=variants,
    claim=claim,
    explorers=("explore_activations",),
    prediction=Prediction(
        (
            "Which start keeps 5 ReLU layers' activations spread and trains best "
            "there, and which alone trains 30 layers: Xavier or He?"
        ),
        (
            "Xavier both times",
            "He both times",
            "not one start both times",
        ),
        holds="He both times",
        fails="not one start both times",
    ),
    target=0.9,
    extras={"activation_std": activation_std},
    figures={"activations.png": at_initialization},
)


if __name__ == "__main__":
    LAB.run()
