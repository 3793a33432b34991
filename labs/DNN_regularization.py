import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, below

base = Config(
    name="DNN_regularization",
    hidden_units=(512, 512),
    limit=1000,  # few images: easy to overfit
    optimizer="momentum",  # with Adam the penalty's effect is blurred by its scaling
    learning_rate=0.01,
    epochs=30,
)
variants = {
    "none": base,
    "l2_1e-3": base.replace(regularizer="l2", reg_lambda=1e-3),
    "l2_1e-2": base.replace(regularizer="l2", reg_lambda=1e-2),
    "l2_3e-2": base.replace(regularizer="l2", reg_lambda=3e-2),
    "l1_3e-4": base.replace(regularizer="l1", reg_lambda=3e-4),
    "l1_1e-3": base.replace(regularizer="l1", reg_lambda=1e-3),
}


def claim(results) -> Claim:
    none = results["none"].stat("gap")
    return Claim(
        "L2 and L1 weight decay narrow the gap between training and test accuracy",
        [
            below("gap: L2 λ=1e-2 < none", results["l2_1e-2"].stat("gap"), none),
            below("gap: L1 λ=1e-3 < none", results["l1_1e-3"].stat("gap"), none),
        ],
    )


LAB = Lab(
    title="Weight decay — L2 and L1 against overfitting",
    slide=('"Deep Neural Network - weight decay" (exercise DNN_regularization.py)'),
    description=(
        "a large net on only 1,000 training images learns them by heart (train "
        "accuracy 100 %, test about 88 %). Adding λ·Σw² (L2) or λ·Σ|w| (L1) to "
        "the loss keeps the weights small: the larger λ, the narrower the gap "
        "between train and test accuracy. Look at the test column too: on this "
        "small set the gap closes mostly from above."
    ),
    usage="python labs/DNN_regularization.py [--limit 1000] [--epochs 30]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "L2 and L1 weight decay on the same net: does each narrow the gap "
            "between training and test accuracy?"
        ),
        (
            "yes, each",
            "not each",
        ),
        holds="yes, each",
        fails="not each",
    ),
    target=0.85,
)


if __name__ == "__main__":
    LAB.run()
