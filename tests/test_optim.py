"""Optimizers and data utilities, checked against hand-computed numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest

from symbackprop.apps.data import (
    Standardizer,
    minibatches,
    one_hot,
    spirals,
    train_test_split,
    two_moons,
)
from symbackprop.apps.optim import SGD, Adam, Momentum


def test_sgd_step_in_place() -> None:
    W = np.array([[1.0, 2.0]])
    params = {"W1": W}
    SGD(0.5).step(params, {"W1": np.array([[2.0, -4.0]])})
    assert params["W1"] is W
    assert np.array_equal(W, [[0.0, 4.0]])


def test_momentum_two_steps_by_hand() -> None:
    # lr 0.1, beta 0.9, W = 1, gradients 1 then 2:
    # v1 = 0.9*0 + 0.1*1 = 0.1, W = 1 - 0.1*0.1 = 0.99
    # v2 = 0.9*0.1 + 0.1*2 = 0.29, W = 0.99 - 0.1*0.29 = 0.961
    params = {"W1": np.array([[1.0]]), "b1": np.array([[0.0]])}
    opt = Momentum(0.1, beta=0.9)
    opt.step(params, {"W1": np.array([[1.0]]), "b1": np.array([[-1.0]])})
    assert params["W1"][0, 0] == pytest.approx(0.99)
    assert opt.velocity["W1"][0, 0] == pytest.approx(0.1)
    opt.step(params, {"W1": np.array([[2.0]]), "b1": np.array([[-1.0]])})
    assert opt.velocity["W1"][0, 0] == pytest.approx(0.29)
    assert params["W1"][0, 0] == pytest.approx(0.961)
    # state is per key: b1 saw -1 twice: v = -0.1 then -0.19; b = 0.01 + 0.019
    assert params["b1"][0, 0] == pytest.approx(0.029)


def test_adam_first_step_is_lr_times_sign() -> None:
    # with bias correction m_hat = g and s_hat = g^2 at t = 1: the step is lr g/|g|
    params = {"W1": np.array([[1.0, 1.0]])}
    Adam(0.01).step(params, {"W1": np.array([[3.0, -0.5]])})
    assert np.allclose(params["W1"], [[0.99, 1.01]], atol=1e-8)


def test_adam_second_step_by_hand() -> None:
    opt = Adam(0.1, beta1=0.5, beta2=0.5, eps=1e-12)
    params = {"W1": np.array([[0.0]])}
    opt.step(params, {"W1": np.array([[1.0]])})
    opt.step(params, {"W1": np.array([[3.0]])})
    # m = 0.5*0.5 + 0.5*3 = 1.75, s = 0.5*0.5 + 0.5*9 = 4.75; corrections 1 - 0.25 = 0.75
    step2 = 0.1 * (1.75 / 0.75) / np.sqrt(4.75 / 0.75)
    assert params["W1"][0, 0] == pytest.approx(-0.1 - step2)


def test_optimizer_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        SGD(0.0)
    with pytest.raises(ValueError):
        Momentum(0.1, beta=1.0)
    with pytest.raises(ValueError, match="shape"):
        SGD(0.1).step({"W1": np.zeros((2, 3))}, {"W1": np.zeros((3, 2))})


def test_minibatches_cover_every_column_once() -> None:
    X = np.arange(20.0).reshape(2, 10)
    Y = X[:1] * 10
    batches = list(minibatches(X, Y, 4, np.random.default_rng(0)))
    assert [b[0].shape[1] for b in batches] == [4, 4, 2]
    seen = np.concatenate([b[0][0] for b in batches])
    assert sorted(seen) == list(X[0])
    for Xb, Yb in batches:  # columns stay paired
        assert np.array_equal(Yb, Xb[:1] * 10)
    assert not np.array_equal(seen, X[0])  # shuffled


def test_standardizer_uses_training_statistics_on_test() -> None:
    train = np.array([[0.0, 2.0, 4.0], [5.0, 5.0, 5.0]])  # row 2 is constant
    test = np.array([[6.0], [7.0]])
    scaler = Standardizer().fit(train)
    assert np.allclose(scaler.mean, [[2.0], [5.0]])
    std = np.sqrt(8 / 3)
    out = scaler.transform(test)
    assert out[0, 0] == pytest.approx((6.0 - 2.0) / std)  # the training mean and std
    assert out[1, 0] == pytest.approx(2.0)  # constant feature: std floored to 1, no inf
    assert np.allclose(scaler.transform(train).mean(axis=1), 0)
    with pytest.raises(ValueError):
        Standardizer().transform(test)


def test_datasets_shapes_and_labels() -> None:
    X, Y = two_moons(101, 0.1, np.random.default_rng(0))
    assert X.shape == (2, 101) and Y.shape == (1, 101)
    assert set(np.unique(Y)) == {0.0, 1.0} and Y.sum() == 51
    X, Y = spirals(90, np.random.default_rng(0), classes=3, onehot=True)
    assert X.shape == (2, 90) and Y.shape == (3, 90)
    assert np.array_equal(Y.sum(axis=0), np.ones(90))
    assert np.array_equal(one_hot(np.array([1, 0]), 2), [[0, 1], [1, 0]])


def test_train_test_split_keeps_columns_together_and_refuses_bad_input() -> None:
    rng = np.random.default_rng(0)
    X = np.arange(20.0).reshape(2, 10)
    Y = X[:1] * 10  # Y's column j is 10 x[0, j]: a pair moved together stays so
    X_train, Y_train, X_test, Y_test = train_test_split(X, Y, 0.3, rng)
    assert X_train.shape == (2, 7) and X_test.shape == (2, 3) and Y_test.shape == (1, 3)
    assert np.array_equal(Y_train, X_train[:1] * 10) and np.array_equal(Y_test, X_test[:1] * 10)
    assert sorted(np.concatenate([X_train[0], X_test[0]])) == list(X[0])
    # a fraction rounding to every column leaves one to train on
    assert train_test_split(X, Y, 0.99, rng)[0].shape == (2, 1)
    with pytest.raises(ValueError, match="the same number of columns"):
        train_test_split(X, Y[:, :9], 0.3, rng)
    with pytest.raises(ValueError, match="at least one"):
        train_test_split(X[:, :0], Y[:, :0], 0.3, rng)
    for bad in (1.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match=r"test_fraction .*: expected a number in \[0, 1\)"):
            train_test_split(X, Y, bad, rng)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([0, 2, -1], "label -1 at position 2"),  # an "ignore" label took the last class
        ([0.0, 1.7, 2.0], "label 1.7 at position 1"),  # cut to 1
        ([0, 3], "label 3 at position 1"),  # was NumPy's IndexError
        ([0.0, float("nan")], "label nan at position 1"),
    ],
)
def test_one_hot_refuses_a_label_outside_its_classes(labels: list, message: str) -> None:
    """hostile37b #7: -1 and 1.7 were one-hot columns of classes 2 and 1, silently."""
    with pytest.raises(ValueError, match=re.escape(message) + r": expected a whole number in"):
        one_hot(np.array(labels), 3)
    assert np.array_equal(one_hot(np.array([0.0, 2.0]), 3), [[1, 0], [0, 0], [0, 1]])


def test_minibatches_refuses_a_batch_size_that_is_no_integer() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"^batch_size 4.0: expected a positive integer$"):
        list(minibatches(np.zeros((2, 4)), np.zeros((1, 4)), 4.0, rng))  # type: ignore[arg-type]
