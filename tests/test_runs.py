import pytest

from dnnlab import Config, ConfigError
from dnnlab.runs import latest_run, make_run_dir, run_folder


def test_run_folders_never_collide(tmp_path):
    folders = {make_run_dir(tmp_path, "lab") for _ in range(5)}
    assert len(folders) == 5 and all(f.parent == tmp_path / "lab" for f in folders)


def test_resume_takes_the_latest_run(tmp_path):
    config = Config(name="lab", log_dir=str(tmp_path))
    with pytest.raises(ConfigError, match="expected an earlier run"):
        latest_run(config)
    first = run_folder(config)
    second = run_folder(config)
    assert first != second
    assert run_folder(config.replace(resume=True)) == max(first, second)
