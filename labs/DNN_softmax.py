"""
Title: Softmax regression — 784 → 10 with cross-entropy
Slide: "Deep Neural Network - softmax" (exercise DNN_softmax.py)
Description: the slide's own formulation in TensorFlow 2 (W and b as variables, logits =
x·W + b, mean softmax cross-entropy, gradient descent under a GradientTape) beside the
same model in Keras. Both start from the same weights and should land at about 92 % test
accuracy.
Run: python labs/DNN_softmax.py [--epochs 10]
"""

from dnnlab import Config, compare, run_cli

config = Config(
    name="DNN_softmax",
    hidden_units=(),  # no hidden layer: softmax regression
    initializer="random_normal",
    init_std=0.01,
    optimizer="sgd",  # plain gradient descent, as on the slide
    learning_rate=0.5,
    epochs=10,
)


def slide_formulation(config: Config) -> float:
    """The slide's TF1 graph written in TF2; returns its test accuracy."""
    import keras
    import tensorflow as tf

    from dnnlab import load_mnist
    from dnnlab.model import initializer

    data = load_mnist()
    (x, y), _ = data.split(config.validation_split, config.limit)
    keras.utils.set_random_seed(config.seed)  # the Keras model's initial W, drawn again
    W = tf.Variable(initializer(config)((784, 10)))
    b = tf.Variable(tf.zeros([10]))

    @tf.function  # one compiled graph per epoch, as TF1's session loop was
    def epoch(batches):
        for x, y in batches:
            with tf.GradientTape() as tape:
                logits = tf.matmul(x, W) + b
                cost = tf.reduce_mean(
                    tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits)
                )
            dW, db = tape.gradient(cost, [W, b])
            W.assign_sub(config.learning_rate * dW)  # W ← W − η ∂E/∂W
            b.assign_sub(config.learning_rate * db)

    batches = tf.data.Dataset.from_tensor_slices((x, tf.one_hot(y, 10)))
    batches = batches.shuffle(len(x), seed=config.seed).batch(config.batch_size)
    for _ in range(config.epochs):
        epoch(batches)
    predicted = tf.argmax(tf.matmul(data.x_test, W) + b, axis=1)
    return float(tf.reduce_mean(tf.cast(predicted == data.y_test, tf.float32)))


def main(config: Config) -> None:
    keras_accuracy = compare({"keras": config}, target=0.92)["keras"].test_accuracy
    tape_accuracy = slide_formulation(config)
    print(
        f"test accuracy   Keras model {keras_accuracy:.2%}   "
        f"slide formulation (GradientTape) {tape_accuracy:.2%}"
    )


if __name__ == "__main__":
    run_cli(main, config)
