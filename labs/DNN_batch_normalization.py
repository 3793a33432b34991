"""
Title: Batch normalization
Slide: "Deep Neural Network - batch normalization" (exercise DNN_batch_normalization.py)
Description: the same five-layer net with and without batch normalization, trained by
plain SGD: BN reaches 97 % validation accuracy in fewer epochs. From a poorly scaled
start (normal, std 0.01) the plain net stalls, while BN renormalizes every layer and
still learns.
Run: python labs/DNN_batch_normalization.py [--epochs 6]
"""

from dnnlab import Config, compare, run_cli

base = Config(
    name="DNN_batch_normalization",
    hidden_units=(256,) * 5,
    activation="relu",
    initializer="he_normal",
    optimizer="sgd",
    learning_rate=0.05,
    epochs=6,
)
poor = base.replace(initializer="random_normal", init_std=0.01)
variants = {
    "he": base,
    "he+bn": base.replace(batch_norm="before"),
    "normal_0.01": poor,
    "normal_0.01+bn": poor.replace(batch_norm="before"),
}

if __name__ == "__main__":
    run_cli(compare, variants)
