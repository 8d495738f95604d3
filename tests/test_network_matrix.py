"""A np.matrix passed to a NumPy *network* module (hostile15 5b).

The models' modules refused one since hostile14; the network modules took it through their
entry checks (it is a 2-D ndarray of the right shape and dtype) and then failed inside NumPy:
`shapes (1,4) and (1,4) not aligned`, `matrix.max() got an unexpected keyword argument
'keepdims'`, or for 2-2:tanh-2:identity a LinAlgError (a matrix's `**` is a matrix power),
which gradcheck reads as "cost undefined at this point". Where the matrix is square its `*`
is a matrix product: a wrong number with no error. Now each entry refuses it with the
models' one ValueError naming the array.
"""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix's


@pytest.fixture(scope="module")
def tanh_net() -> sb.GradientModule:
    # square layers and an mse loss: the spec whose matrix power raised LinAlgError
    return sb.compile(sb.Network.parse("2-2:tanh-2:identity", loss="mse"))


def _data(m: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((2, m)), rng.standard_normal((2, m))


@pytest.mark.parametrize("name", ["X", "Y", "W1", "b1", "W2", "b2"])
def test_each_array_as_a_matrix_is_one_error_naming_it(tanh_net, name: str) -> None:
    params = tanh_net.init_params(seed=1)
    X, Y = _data()
    arrays = {**params, "X": X, "Y": Y}
    arrays[name] = np.matrix(arrays[name])
    X, Y = arrays.pop("X"), arrays.pop("Y")
    with pytest.raises(ValueError, match=rf"^{name} is a numpy\.matrix, whose \* multiplies"):
        tanh_net.loss_and_grads(arrays, X, Y)
    if name != "Y":
        with pytest.raises(ValueError, match=rf"^{name} is a numpy\.matrix"):
            tanh_net.forward(arrays, X)


def test_backward_refuses_a_matrix_target_and_the_plain_arrays_still_agree(tanh_net) -> None:
    params = tanh_net.init_params(seed=1)
    X, Y = _data()
    cost, grads = tanh_net.loss_and_grads(params, X, Y)
    _, cache = tanh_net.forward(params, X)
    with pytest.raises(ValueError, match=r"^Y is a numpy\.matrix.*np\.asarray\(Y\)"):
        tanh_net.backward(params, cache, np.matrix(Y))
    with pytest.raises(ValueError, match=r"^W2 is a numpy\.matrix"):
        tanh_net.backward({**params, "W2": np.matrix(params["W2"])}, cache, Y)
    # the refusal changed nothing for arrays: J = (1/m) sum of squared errors / 2 by hand
    A1 = np.tanh(params["W1"] @ X + params["b1"])
    A2 = params["W2"] @ A1 + params["b2"]
    assert cost == pytest.approx(0.5 * ((A2 - Y) ** 2).sum() / 2, rel=1e-14)
    assert grads["b2"] == pytest.approx((A2 - Y).sum(axis=1, keepdims=True) / 2, rel=1e-14)


class _MyMatrix(np.matrix):
    """A subclass of np.matrix: ``type(X) is not np.matrix`` let it through (review16 U1)."""


class _MyArray(np.ndarray):
    """A subclass of ndarray that computes like one."""


@pytest.mark.parametrize("name", ["X", "Y", "W1"])
def test_a_subclass_of_matrix_is_refused_and_of_ndarray_computes(tanh_net, name: str) -> None:
    params = tanh_net.init_params(seed=1)
    X, Y = _data()
    arrays = {**params, "X": X, "Y": Y}
    arrays[name] = _MyMatrix(arrays[name])
    with pytest.raises(ValueError, match=rf"^{name} is a numpy\.matrix, whose \* multiplies"):
        tanh_net.loss_and_grads({k: arrays[k] for k in params}, arrays["X"], arrays["Y"])
    cost, grads = tanh_net.loss_and_grads(params, X, Y)
    again = tanh_net.loss_and_grads(
        {**params, name: params[name].view(_MyArray)} if name in params else params,
        X.view(_MyArray) if name == "X" else X,
        Y.view(_MyArray) if name == "Y" else Y,
    )
    assert again[0] == cost
    assert all(np.array_equal(again[1][k], grads[k]) for k in grads)
