"""
Title: Cost functions — mean squared error vs cross-entropy on softmax outputs
Slide: "Deep Neural Network - cost function / softmax"
Description: the same net, seed and plain gradient descent, once with MSE and once with
cross-entropy. Softmax outputs are probabilities (they sum to 1); cross-entropy's
gradient stays large while the answer is wrong, MSE's fades, so cross-entropy learns
faster.
Run: python labs/DNN_cost_function.py [--epochs 5]
"""

import json

from dnnlab import Config, compare, run_cli

base = Config(
    name="DNN_cost_function",
    hidden_units=(256, 256),
    optimizer="sgd",  # plain gradient descent shows the gradients as they are
    learning_rate=0.1,
    epochs=5,
)
variants = {"cross_entropy": base, "mse": base.replace(loss="mse")}


def main(variants: dict) -> None:
    import numpy as np

    from dnnlab import load_mnist

    results = compare(variants, target=0.95)
    p = np.asarray(results["cross_entropy"].model(load_mnist().x_test[:3]))
    print("softmax outputs for three test images (cross-entropy net):")
    for row in p:
        print("  " + " ".join(f"{v:.3f}" for v in row) + f"   sum = {row.sum():.6f}")
    folder = results["cross_entropy"].run_dir.parent
    (folder / "softmax_sums.json").write_text(json.dumps(p.sum(axis=1).tolist()))


if __name__ == "__main__":
    run_cli(main, variants)
