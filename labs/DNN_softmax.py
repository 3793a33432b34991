import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, above, below, measures, num

config = Config(
    name="DNN_softmax",
    hidden_units=(),  # no hidden layer: softmax regression
    initializer="random_normal",
    init_std=0.01,
    optimizer="sgd",  # plain gradient descent, as on the slide
    learning_rate=0.5,
    epochs=10,
)


def slide_formulation(result, data) -> float:
    """The slide's TF1 graph written in TF2, from the same start; its test accuracy."""
    from dnnlab.backend import keras
    from dnnlab.model import initializer

    import tensorflow as tf

    c = result.config
    (x, y), _ = data.split(c.validation_split, c.limit)
    keras.utils.set_random_seed(c.seed)  # the Keras model's initial W, drawn again
    W = tf.Variable(initializer(c)((784, 10)))
    b = tf.Variable(tf.zeros([10]))

    @tf.function  # one compiled graph per epoch, as TF1's session loop was
    def epoch(batches):
        for xb, yb in batches:
            with tf.GradientTape() as tape:
                logits = tf.matmul(xb, W) + b
                cost = tf.reduce_mean(
                    tf.nn.softmax_cross_entropy_with_logits(labels=yb, logits=logits)
                )
            dW, db = tape.gradient(cost, [W, b])
            W.assign_sub(c.learning_rate * dW)  # W ← W − η ∂E/∂W
            b.assign_sub(c.learning_rate * db)

    batches = tf.data.Dataset.from_tensor_slices((x, tf.one_hot(y, 10)))
    batches = batches.shuffle(len(x), seed=c.seed).batch(c.batch_size)
    for _ in range(c.epochs):
        epoch(batches)
    predicted = tf.argmax(tf.matmul(data.x_test, W) + b, axis=1)
    return float(tf.reduce_mean(tf.cast(predicted == data.y_test, tf.float32)))


def claim(results) -> Claim:
    net = results["net"]
    acc = net.stat("test_accuracy")
    gap = net.stat(lambda r: abs(r.test_accuracy - r.extras["tape_accuracy"]))
    return Claim(
        "softmax regression reaches about 92 % test accuracy; its outputs are "
        "probabilities that sum to 1; the slide's GradientTape version agrees",
        [
            above("test accuracy > 90 %", acc, 0.90),
            below("test accuracy < 94 %", acc, 0.94),
            below("largest |Σ softmax − 1|", net.stat("sum_error"), 1e-5, num),
            below("|Keras − GradientTape| < 1 point", gap, 0.01),
        ],
    )


LAB = Lab(
    title="Softmax regression — 784 → 10 with cross-entropy",
    slide='"Deep Neural Network - softmax" (exercise DNN_softmax.py)',
    description=(
        "the slide's own formulation in TensorFlow 2 (W and b as variables, "
        "logits = x·W + b, mean softmax cross-entropy, gradient descent under a "
        "GradientTape) beside the same model in Keras. Both start from the same "
        "weights and land at about 92 % test accuracy; the softmax outputs of "
        "every test image sum to 1."
    ),
    usage="python labs/DNN_softmax.py [--epochs 10] [--seeds 3]",
    variants=config,
    claim=claim,
    prediction=Prediction(
        (
            "Softmax regression, no hidden layer: what test accuracy on MNIST, and "
            "do its outputs sum to 1?"
        ),
        (
            "about 92 %, and they sum to 1",
            "far from 92 %, or they do not sum to 1",
        ),
        holds="about 92 %, and they sum to 1",
        fails="far from 92 %, or they do not sum to 1",
    ),
    target=0.92,
    extras={"sum_error": measures.sum_error, "tape_accuracy": slide_formulation},
)


if __name__ == "__main__":
    LAB.run()
