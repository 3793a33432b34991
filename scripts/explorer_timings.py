"""How long each explorer takes to redraw: a control moved, the numbers computed
and the figure drawn as the PNG its widget shows (Explorer.png). The median of 5
moves per explorer, after one warm-up draw (imports, MNIST, TensorFlow).

Usage: python scripts/explorer_timings.py
"""

import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dnnlab import explore  # noqa: E402

MOVES = {  # each a new value, so that no cached result is reused
    "explore_bowl": [dict(learning_rate=lr) for lr in (0.5, 1.05, 0.3, 1.2, 0.8)],
    "explore_activations": [
        dict(activation=a, initializer=i, depth=d)
        for a, i, d in (
            ("relu", "he", 5),
            ("tanh", "xavier", 10),
            ("relu", "xavier", 30),
            ("elu", "he", 20),
            ("sigmoid", "xavier", 15),
        )
    ],
    "explore_learning_rate": [
        dict(learning_rate=lr) for lr in (0.03, 0.3, 1.0, 0.01, 0.5)
    ],
}


def main() -> None:
    print(
        f"{platform.processor() or platform.machine()}, Python {sys.version.split()[0]}"
    )
    for name, moves in MOVES.items():
        ex = getattr(explore, name)(show=False)
        ex.png()  # warm-up
        times = []
        for values in moves:
            start = time.perf_counter()
            ex.png(**values)
            times.append(time.perf_counter() - start)
        print(
            f"{name}: median {statistics.median(times):.3f} s, "
            f"max {max(times):.3f} s over {len(times)} redraws"
        )


if __name__ == "__main__":
    main()
