"""
Title: Watching a deep net learn in TensorBoard
Slide: "Deep Neural Network - TensorBoard" (exercise
DNN_deep_hidden_layer5_tensorboard.py)
Description: the five-layer net of DNN_deep_hidden_layer5.py, with ReLU and with
sigmoid, logged in full: loss, accuracy and learning rate per epoch and every 50
batches, weight and bias histograms, each hidden layer's activation histogram, and the
model graph.
Run: python labs/DNN_deep_hidden_layer5_tensorboard.py, then tensorboard --logdir logs
"""

from dnnlab import Config, compare, run_cli

relu = Config(
    name="DNN_deep_hidden_layer5_tensorboard",
    hidden_units=(256,) * 5,
    activation="relu",
    initializer="he_normal",
    optimizer="adam",
    learning_rate=0.001,
    epochs=5,
)
variants = {  # sigmoid's activation histograms pile up at 0 and 1 (saturated)
    "relu": relu,
    "sigmoid": relu.replace(activation="sigmoid", initializer="glorot_normal"),
}

if __name__ == "__main__":
    run_cli(lambda v: compare(v, detail=True), variants)
