"""
Title: Weight initialization — naive normal vs Xavier (Glorot) vs He
Slide: "Deep Neural Network - initial weight" (exercise DNN_initializer.py)
Description: one five-layer ReLU net from four starts. A small normal (std 0.01) shrinks
the signal layer by layer and a large one (std 1) blows it up; Xavier (std √(1/n)-like)
and He (std √(2/n)) keep every layer's activations spread. The figure shows the
activations of each hidden layer at initialization.
Run: python labs/DNN_initializer.py [--epochs 5]
"""

import json

from dnnlab import Config, compare, plots, run_cli

base = Config(
    name="DNN_initializer", hidden_units=(256,) * 5, activation="relu", epochs=5
)
variants = {
    "normal_0.01": base.replace(initializer="random_normal", init_std=0.01),
    "normal_1.0": base.replace(initializer="random_normal", init_std=1.0),
    "xavier": base.replace(initializer="glorot_normal"),
    "he": base.replace(initializer="he_normal"),
}


def at_initialization(results: dict, path):
    """The slides' figure: each hidden layer's activations before training."""
    from dnnlab import load_mnist
    from dnnlab.probe import activations

    x = load_mnist().split(base.validation_split)[1][0][:1000]
    acts = {name: activations(r.config, x) for name, r in results.items()}
    std = {
        name: " ".join(f"{a.std():.2g}" for a in layers)
        for name, layers in acts.items()
    }
    print("activation std per hidden layer at initialization:")
    for name, text in std.items():
        print(f"  {name:12} {text}")
    stds = {name: [float(a.std()) for a in layers] for name, layers in acts.items()}
    (path.parent / "activation_std.json").write_text(json.dumps(stds))
    return plots.distributions(acts, path, "hidden-layer activations at initialization")


if __name__ == "__main__":
    figures = {"activations.png": at_initialization}
    run_cli(lambda v: compare(v, figures=figures), variants)
