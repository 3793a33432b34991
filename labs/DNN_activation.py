"""
Title: Activation functions in a deep net
Slide: "Deep Neural Network - activation functions"
Description: sigmoid, tanh, ReLU, Leaky ReLU, PReLU, ELU and SELU, each in the same
five-layer net. Two numbers beside the accuracy: the gradient norm of the first hidden
layer over the last one before training (sigmoid's vanishes toward the input), and the
share of dead hidden units after training: units whose output is the same on all of
1,000 validation images, so no gradient passes them (a ReLU stuck at 0; a Leaky ReLU,
PReLU or ELU unit never is).
Run: python labs/DNN_activation.py [--epochs 5] [--learning-rate 0.01]
"""

from dnnlab import Config, compare, run_cli

base = Config(name="DNN_activation", hidden_units=(256,) * 5, epochs=5)
names = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu")
variants = {name: base.replace(activation=name) for name in names}


def main(variants: dict) -> None:
    from dnnlab import load_mnist
    from dnnlab.probe import dead_units, gradient_norms

    data = load_mnist()
    x_val = data.split(base.validation_split)[1][0][:1000]
    norms = {name: gradient_norms(config, data) for name, config in variants.items()}

    def columns(results):
        return {
            "grad 1st/last": {n: f"{g[0] / g[-2]:.3g}" for n, g in norms.items()},
            "dead units": {  # no model for a run kept from before a --resume
                n: f"{dead_units(r.model, x_val):.1%}" if r.model else "—"
                for n, r in results.items()
            },
        }

    compare(variants, columns=columns)


if __name__ == "__main__":
    run_cli(main, variants)
