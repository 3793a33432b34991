import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, above

config = Config(
    name="DNN_deep_hidden_layer3",
    hidden_units=(256, 256, 256),
    activation="relu",  # max(0, x): its gradient is 1 wherever the unit fires
    initializer="he_normal",  # std √(2/n), made for ReLU
    optimizer="adam",
    learning_rate=0.001,
    lr_schedule="cosine",  # small steps at the end settle the weights
    dropout=0.2,
    epochs=15,
)


def claim(results) -> Claim:
    acc = results["net"].stat("test_accuracy")
    return Claim(
        "three hidden ReLU layers lift softmax regression's 92 % to about 98 %",
        [
            above("test accuracy > softmax regression's 92 %", acc, 0.92),
            above("test accuracy > 97.5 %", acc, 0.975),
        ],
    )


LAB = Lab(
    title="A deep net — three hidden ReLU layers",
    slide='"Deep Neural Network - ReLU" (exercise DNN_deep_hidden_layer3.py)',
    description=(
        "784 → 256 → 256 → 256 → 10 with ReLU and Adam: hidden layers lift "
        "softmax regression's 92 % to about 98 %."
    ),
    usage=(
        "python labs/DNN_deep_hidden_layer3.py [--epochs 15] [--activation sigmoid]"
    ),
    variants=config,
    claim=claim,
    prediction=Prediction(
        (
            "Three hidden ReLU layers on top of softmax regression's 92 %: what "
            "test accuracy?"
        ),
        (
            "about 98 %",
            "well below 98 %",
        ),
        holds="about 98 %",
        fails="well below 98 %",
    ),
    target=0.98,
)


if __name__ == "__main__":
    LAB.run()
