"""ember/cli/config.py: defaults, overlaying a checkpoint's settings, devices, run folders."""

import os

import pytest

import ember
from ember.cli import config
from ember.cli.errors import CLIError, UsageError


def test_defaults_are_the_tutorials_recipe():
    cfg, notes = config.build_config({})
    assert (cfg["model"], cfg["optimizer"], cfg["lr"], cfg["momentum"]) == \
        ("lenet", "sgd", 0.001, 0.9)
    assert (cfg["batch_size"], cfg["epochs"], cfg["log_every"]) == (4, 2, 2000)
    assert cfg["mean"] == cfg["std"] == (0.5, 0.5, 0.5)
    assert notes == []


def test_given_values_override_the_checkpoint_with_a_note():
    saved = dict(config.DEFAULTS, lr=0.01, epochs=1, seed=5)
    cfg, notes = config.build_config({"epochs": 3, "lr": 0.02, "seed": None}, saved)
    assert cfg["epochs"] == 3 and cfg["lr"] == 0.02 and cfg["seed"] == 5
    assert notes == ["note: lr changed from 0.01 (checkpoint) to 0.02"]


def test_model_must_match_the_checkpoint():
    with pytest.raises(UsageError, match="--model other does not match"):
        config.build_config({"model": "other"}, dict(config.DEFAULTS))


def test_loader_workers():
    assert config.loader_workers(dict(config.DEFAULTS)) == 0
    assert config.loader_workers(dict(config.DEFAULTS, per_image=True)) == 2
    assert config.loader_workers(dict(config.DEFAULTS, workers=3)) == 3


def test_make_optimizer():
    params = [ember.nn.Parameter(ember.zeros(2))]
    sgd = config.make_optimizer("sgd", params, 0.1, 0.5)
    assert isinstance(sgd, ember.optim.SGD) and sgd.param_groups[0]["momentum"] == 0.5
    adam = config.make_optimizer("adam", params, 0.1, 0.5)
    assert isinstance(adam, ember.optim.Adam) and adam.param_groups[0]["lr"] == 0.1


def test_devices():
    assert config.resolve_device("cpu") == "cpu"
    if ember.cuda.is_available():
        assert config.resolve_device("auto") == "cuda"
    else:
        assert config.resolve_device("auto") == "cpu"
        with pytest.raises(CLIError, match="--device cuda: no usable GPU"):
            config.resolve_device("cuda")


def test_new_run_dir_and_latest(tmp_path):
    first = config.new_run_dir(str(tmp_path))
    second = config.new_run_dir(str(tmp_path))
    assert first != second and os.path.isdir(first) and os.path.isdir(second)
    assert os.path.realpath(tmp_path / "latest") == os.path.realpath(second)


def test_out_dir_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CLIError, match="cannot create output folder"):
        config.make_out_dir(str(blocker / "sub"))
