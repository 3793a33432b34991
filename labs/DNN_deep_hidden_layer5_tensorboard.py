import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, below, measures, num

relu = Config(
    name="DNN_deep_hidden_layer5_tensorboard",
    hidden_units=(256,) * 5,
    activation="relu",
    initializer="he_normal",
    optimizer="adam",
    learning_rate=0.001,
    epochs=5,
)
variants = {"relu": relu, "sigmoid": relu.replace(activation="sigmoid")}


def claim(results) -> Claim:
    relu, sigmoid = results["relu"], results["sigmoid"]
    return Claim(
        "side by side in TensorBoard, sigmoid's first layer gets a vanishing "
        "gradient and its loss falls more slowly than ReLU's",
        [
            below(
                "1st / last hidden gradient: sigmoid < ReLU",
                sigmoid.stat("grad_ratio"),
                relu.stat("grad_ratio"),
                num,
            ),
            below(
                "final training loss: ReLU < sigmoid",
                relu.stat("final_loss"),
                sigmoid.stat("final_loss"),
                num,
            ),
        ],
    )


LAB = Lab(
    title="Watching a deep net learn in TensorBoard",
    slide=(
        '"Deep Neural Network - TensorBoard" (exercise '
        "DNN_deep_hidden_layer5_tensorboard.py)"
    ),
    description=(
        "the five-layer net of DNN_deep_hidden_layer5.py, with ReLU and with "
        "sigmoid (nothing else differs), logged in full: loss, accuracy and "
        "learning rate per epoch and every 50 batches, weight and bias "
        "histograms, each hidden layer's activation histogram, each layer's "
        "gradient norm every 50 batches (gradient_norm/) and its gradients' "
        "histogram every epoch (gradients/), and the model graph. What the two "
        "runs show side by side: sigmoid's activation histograms pile up at 0 and "
        "1, its first layer gets a far smaller gradient (gradient_norm/dense_1 "
        "against …/dense_5), and its loss falls more slowly."
    ),
    usage=(
        "python labs/DNN_deep_hidden_layer5_tensorboard.py, then tensorboard "
        "--logdir logs"
    ),
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "Side by side in TensorBoard, sigmoid and ReLU: whose gradient shrinks "
            "more from the last layer to the first, and whose training loss ends "
            "higher?"
        ),
        (
            "ReLU's, on both",
            "sigmoid's, on both",
            "not one net on both",
        ),
        holds="sigmoid's, on both",
        fails="not one net on both",
    ),
    detail=True,
    extras={"grad_ratio": measures.grad_ratio},
)


if __name__ == "__main__":
    LAB.run()
