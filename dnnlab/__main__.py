"""python -m dnnlab [flags]: train one Config given on the command line."""

from dnnlab import Claim, Config, Lab, above


def claim(results) -> Claim:
    """A trained net beats chance (10 %) by a wide margin."""
    net = results["net"].stat("test_accuracy")
    return Claim(
        "the net learns: test accuracy far above chance",
        [above("test accuracy > 50 %", net, 0.5)],
    )


LAB = Lab(
    title="One net from the command line",
    description="train one Config given by the flags; the claim: it beats chance.",
    usage="python -m dnnlab [flags]",
    variants=Config(),
    claim=claim,
)

if __name__ == "__main__":
    LAB.run()
