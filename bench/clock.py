"""What a timed program reports: one JSON line with its own clock readings.

Both timed programs (tutorial.py, dnnlab_train.py) pass a Clock to fit and end with
report(); bench.py reads the line and adds the wall time it measured around the
process (start to exit).
"""

from __future__ import annotations

import json
import resource
import time


def clock(keras):
    """A Keras callback that notes the wall clock at the first step's end and each
    epoch's length."""

    class Clock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.first_step, self.epochs = None, []

        def on_train_batch_end(self, batch, logs=None):
            if self.first_step is None:
                self.first_step = time.time()

        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append(time.perf_counter() - self.started)

    return Clock()


def report(clock, call: float, accuracy: float) -> None:
    """Print the line bench.py reads: the call's seconds (build to test evaluated),
    the first step's end (Unix time), every epoch's seconds, peak memory."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB → GiB
    line = {
        "call": call,
        "first_step": clock.first_step,
        "epochs": clock.epochs,
        "test_accuracy": accuracy,
        "rss_gib": rss,
    }
    print(json.dumps(line), flush=True)
