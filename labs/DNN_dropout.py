"""
Title: Overfitting, underfitting and dropout
Slide: "Deep Neural Network - overfitting / dropout"
Description: a large net on 2,000 training images overfits (train accuracy far above
validation); dropping 20 % or 50 % of the hidden units while training narrows the gap. A
net with two hidden units underfits: train and validation accuracy both stay low. The
figure overlays train (dashed) and validation (solid) accuracy.
Run: python labs/DNN_dropout.py [--epochs 30]
"""

from dnnlab import Config, compare, plots, run_cli

base = Config(
    name="DNN_dropout",
    hidden_units=(1024, 1024),
    limit=2000,  # a large net, few images: it overfits
    optimizer="momentum",  # Adam memorizes 2,000 images with or without dropout
    learning_rate=0.01,
    epochs=30,
)
variants = {
    "dropout_0": base,
    "dropout_0.2": base.replace(dropout=0.2),
    "dropout_0.5": base.replace(dropout=0.5),
    "too_small": base.replace(hidden_units=(2,)),  # underfits
}


if __name__ == "__main__":
    figures = {"train_vs_validation.png": plots.train_vs_validation}
    run_cli(lambda v: compare(v, target=0.9, figures=figures), variants)
