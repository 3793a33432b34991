"""
Title: Weight initialization — naive normal vs Xavier (Glorot) vs He
Slide: "Deep Neural Network - initial weight" (exercise DNN_initializer.py)
Description: one five-layer ReLU net from four starts. A small normal (std 0.01) shrinks
the signal layer by layer and a large one (std 1) blows it up; Xavier (std √(1/n)-like)
and He (std √(2/n)) keep every layer's activations spread. The figure shows the
activations of each hidden layer at initialization.
Run: python labs/DNN_initializer.py [--epochs 5]
"""

from dnnlab import Config, compare, run_cli

base = Config(
    name="DNN_initializer", hidden_units=(256,) * 5, activation="relu", epochs=5
)
variants = {
    "normal_0.01": base.replace(initializer="random_normal", init_std=0.01),
    "normal_1.0": base.replace(initializer="random_normal", init_std=1.0),
    "xavier": base.replace(initializer="glorot_normal"),
    "he": base.replace(initializer="he_normal"),
}


def main(variants: dict) -> None:
    from dnnlab import load_mnist, plots
    from dnnlab.probe import activations

    results = compare(variants)
    x = load_mnist().split(base.validation_split)[1][0][:1000]
    acts = {name: activations(config, x) for name, config in variants.items()}
    std = {
        name: " ".join(f"{a.std():.2g}" for a in layers)
        for name, layers in acts.items()
    }
    print("activation std per hidden layer at initialization:")
    for name, text in std.items():
        print(f"  {name:12} {text}")
    run_dir = next(iter(results.values())).run_dir.parent
    figure = plots.distributions(
        acts, run_dir / "activations.png", "hidden-layer activations at initialization"
    )
    print(f"plot: {figure}")


if __name__ == "__main__":
    run_cli(main, variants)
