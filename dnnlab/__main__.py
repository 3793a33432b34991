"""python -m dnnlab [flags]: train one Config given on the command line."""

from dnnlab import Config, run_cli


def main(config: Config) -> None:
    from dnnlab import train

    r = train(config)
    status = f"diverged at epoch {r.diverged_at}" if r.diverged_at else r.status
    print(f"test accuracy {r.test_accuracy:.2%} ({status}) in {r.wall_time:.1f}s")
    print(f"tensorboard --logdir {r.run_dir.parent}")


if __name__ == "__main__":
    run_cli(main, Config())
