import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, above, below, measures, num, pct

base = Config(name="DNN_activation", hidden_units=(256,) * 5, epochs=5)
names = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu")
variants = {name: base.replace(activation=name) for name in names}


def dead_units(result, data) -> float:
    """Share of hidden units with one output for all of 1,000 held-out images."""
    from dnnlab.probe import dead_units

    return dead_units(result.model, data.split(0.1)[1][0][:1000])


def claim(results) -> Claim:
    ratio = {n: s.stat("grad_ratio") for n, s in results.items()}
    dead = {n: s.stat("dead_units") for n, s in results.items()}
    return Claim(
        "in a deep net sigmoid's gradient vanishes toward the input and ReLU's does "
        "not; ReLU units can die, Leaky ReLU and ELU units stay alive",
        [
            below(
                "1st / last hidden gradient: sigmoid < 0.1", ratio["sigmoid"], 0.1, num
            ),
            above("1st / last hidden gradient: ReLU > 0.1", ratio["relu"], 0.1, num),
            above(
                "dead units: ReLU > Leaky ReLU", dead["relu"], dead["leaky_relu"], pct
            ),
            above("dead units: ReLU > ELU", dead["relu"], dead["elu"], pct),
        ],
    )


LAB = Lab(
    title="Activation functions in a deep net",
    slide='"Deep Neural Network - activation functions"',
    description=(
        "sigmoid, tanh, ReLU, Leaky ReLU, PReLU, ELU and SELU, each in the same "
        "five-layer net. Two numbers beside the accuracy: the gradient norm of "
        "the first hidden layer over the last one before training (sigmoid's "
        "vanishes toward the input), and the share of dead hidden units after "
        "training: units whose output is the same on all of 1,000 validation "
        "images, so no gradient passes them (a ReLU stuck at 0; a Leaky ReLU, "
        "PReLU or ELU unit never is). TensorBoard shows each layer's gradient "
        "norm as it trains (gradient_norm/) and its gradients' histograms "
        "(gradients/)."
    ),
    usage="python labs/DNN_activation.py [--epochs 5] [--learning-rate 0.01]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "In a deep net: whose gradient vanishes toward the input, and whose "
            "units die?"
        ),
        (
            (
                "sigmoid's vanishes; some ReLU units die, Leaky ReLU and ELU units stay"
                " alive"
            ),
            "not as the slide says",
        ),
        holds=(
            "sigmoid's vanishes; some ReLU units die, Leaky ReLU and ELU units stay"
            " alive"
        ),
        fails="not as the slide says",
    ),
    detail=True,  # each layer's gradient norm and histogram in TensorBoard
    extras={"grad_ratio": measures.grad_ratio, "dead_units": dead_units},
)


if __name__ == "__main__":
    LAB.run()
