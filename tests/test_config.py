import dataclasses

import pytest

from dnnlab import Config, ConfigError
from dnnlab.config import CHOICES


def test_defaults_are_valid_and_frozen():
    config = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.epochs = 3


def test_replace_and_lists_become_tuples():
    config = Config().replace(hidden_units=[10, 20], dropout=0.5)
    assert config.hidden_units == (10, 20) and config.dropout == 0.5
    assert Config(hidden_units=()).hidden_units == ()


@pytest.mark.parametrize("field", sorted(CHOICES))
def test_unknown_choice_names_field_value_and_allowed(field):
    with pytest.raises(ConfigError) as e:
        Config(**{field: "nonsense"})
    message = str(e.value)
    assert field in message and "'nonsense'" in message
    assert all(choice in message for choice in CHOICES[field])


def test_near_miss_suggests_the_nearest_name():
    with pytest.raises(ConfigError, match="did you mean 'leaky_relu'"):
        Config(activation="leaky_rel")


@pytest.mark.parametrize(
    "changes, field",
    [
        (dict(hidden_units=(256, 0)), "hidden_units"),
        (dict(hidden_units=(256, -3)), "hidden_units"),
        (dict(hidden_units=256), "hidden_units"),
        (dict(hidden_units=(2.5,)), "hidden_units"),
        (dict(dropout=1.0), "dropout"),
        (dict(dropout=-0.1), "dropout"),
        (dict(max_norm=-1.0), "max_norm"),
        (dict(input_dropout=1.0), "input_dropout"),
        (dict(validation_split=-0.1), "validation_split"),
        (dict(batch_size=70000), "batch_size"),
        (dict(validation_split=1.0), "validation_split"),
        (dict(learning_rate=0.0), "learning_rate"),
        (dict(learning_rate=-0.01), "learning_rate"),
        (dict(learning_rate=float("nan")), "learning_rate"),
        (dict(init_std=0.0), "init_std"),
        (dict(reg_lambda=-1e-4), "reg_lambda"),
        (dict(batch_size=0), "batch_size"),
        (dict(epochs=0), "epochs"),
        (dict(limit=-1), "limit"),
        (dict(name="a/b"), "name"),
        (dict(name=""), "name"),
        (dict(epochs="3"), "epochs"),
        (dict(epochs=2.5), "epochs"),
        (dict(epochs=True), "epochs"),
        (dict(tensorboard="yes"), "tensorboard"),
        (dict(activation=3), "activation"),
        (dict(steps=-1), "steps"),
        (dict(trace_every=0), "trace_every"),
        (dict(adagrad_accumulator=-0.1), "adagrad_accumulator"),
    ],
)
def test_bad_values_are_refused_naming_the_field(changes, field):
    with pytest.raises(ConfigError) as e:
        Config(**changes)
    assert str(e.value).startswith(f"{field}=")
    assert "expected" in str(e.value)


def test_an_int_is_a_valid_float():
    assert Config(learning_rate=1).learning_rate == 1


def test_zero_validation_split_trains_on_all_60000_images():
    assert Config(validation_split=0.0).train_images(60000) == 60000
    assert Config(limit=500).train_images(60000) == 500


def test_a_misspelled_field_is_named_with_a_suggestion():
    with pytest.raises(ConfigError, match="'logdir' is not a Config field .*'log_dir'"):
        Config().replace(logdir="x")
    with pytest.raises(ConfigError, match="'epoch' is not a Config field .*'epochs'"):
        Config(epoch=3)


def test_every_field_carries_its_help():
    assert all(f.metadata["help"].strip() for f in dataclasses.fields(Config))


@pytest.mark.parametrize(
    "changes, ignored",
    [
        (
            dict(init_std=0.1),
            "init_std=0.1 is ignored: initializer is 'glorot_uniform'",
        ),
        (dict(reg_lambda=0.01), "reg_lambda=0.01 is ignored: regularizer is 'none'"),
        (dict(bn_momentum=0.99), "bn_momentum=0.99 is ignored: batch_norm is 'off'"),
        (dict(adagrad_accumulator=0.0), "is ignored: optimizer is 'adam'"),
        (dict(steps=100, epochs=3), "epochs=3 is ignored: steps=100 sets the length"),
    ],
)
def test_a_field_the_rest_of_the_config_ignores_is_named(changes, ignored):
    (line,) = Config(**changes).ignored()
    assert ignored in line


def test_fields_in_use_or_left_at_their_default_are_not_named():
    assert Config().ignored() == []
    used = Config(
        initializer="random_normal",
        init_std=0.1,
        regularizer="l2",
        reg_lambda=0.01,
        batch_norm="before",
        bn_epsilon=1e-6,
        optimizer="adagrad",
        adagrad_accumulator=0.0,
    )
    assert used.ignored() == []


def test_train_warns_once_in_one_line(mnist, tmp_path, capsys):
    from dnnlab import train

    config = Config(
        hidden_units=(8,),
        limit=200,
        epochs=1,
        tensorboard=False,
        checkpoint=False,
        reg_lambda=0.5,
        validation_split=0,
    )
    train(config, mnist, run_dir=tmp_path / "a", verbose=0)
    train(config, mnist, run_dir=tmp_path / "b", verbose=0)
    warned = [x for x in capsys.readouterr().out.splitlines() if "warning" in x]
    assert warned == [
        "dnnlab: warning: reg_lambda=0.5 is ignored: regularizer is 'none'"
    ]
