"""python -m dnnlab [flags]: train one Config given on the command line."""

from dnnlab import Claim, Config, above, run_lab


def claim(results) -> Claim:
    """A trained net beats chance (10 %) by a wide margin."""
    net = results["net"].stat("test_accuracy")
    return Claim(
        "the net learns: test accuracy far above chance",
        [above("test accuracy > 50 %", net, 0.5)],
    )


if __name__ == "__main__":
    run_lab(Config(), claim)
