"""
Title: A deeper net — five hidden layers, and the vanishing gradient
Slide: "Deep Neural Network - sigmoid / ReLU" (exercise DNN_deep_hidden_layer5.py)
Description: 784 → 5 × 256 → 10. Before training, the gradient norm of each layer's
kernel on the first batches: with --activation sigmoid the first layer's is far below
the last's (the vanishing gradient); with ReLU they stay comparable.
Run: python labs/DNN_deep_hidden_layer5.py [--activation sigmoid]
"""

from dnnlab import Config, compare, run_cli

config = Config(
    name="DNN_deep_hidden_layer5",
    hidden_units=(256,) * 5,
    activation="relu",
    initializer="he_normal",
    optimizer="adam",
    learning_rate=0.001,
    lr_schedule="cosine",  # small steps at the end settle the weights
    dropout=0.2,
    epochs=15,
)


def main(config: Config) -> None:
    from dnnlab import load_mnist
    from dnnlab.probe import gradient_norms

    norms = gradient_norms(config, load_mnist(), batches=10)
    print(f"gradient norm of each kernel, first 10 batches ({config.activation}):")
    print("  " + "  ".join(f"layer {i}: {n:.2e}" for i, n in enumerate(norms[:-1], 1)))
    ratio = norms[0] / norms[-2]
    print(f"  output: {norms[-1]:.2e}   first hidden / last hidden = {ratio:.3g}")
    compare({config.activation: config}, target=0.98)


if __name__ == "__main__":
    run_cli(main, config)
