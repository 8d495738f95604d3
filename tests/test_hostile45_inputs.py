"""Session 45: inputs to generated modules and commands that gave wrong results or false words."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

import symbackprop as sb

HEAD = "X : 3 x m\nY : 1 x m\nW : 4 x 3\n"
BODIES = ["h = (W X) ⊙ (W X)", "h = tanh(W X)", "h = relu(W X) + W X", "h = exp(W X)"]


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(BODIES, 2)))
def test_two_models_sharing_one_workspace_keep_arrays_of_their_own(
    first: str, second: str
) -> None:
    """hostile45a #1: model modules kept their arrays under the values' names alone ("t1"),
    so a second model's forward with the same work dict wrote over the first's cached t1,
    and the first's backward gave a wrong gradient with no error. Each model's keys carry a
    digest of it now, as a network's do."""
    a = sb.compile(sb.Model.parse(f"{HEAD}{first}\nJ = mse(v^T h, Y)\ndata: X, Y"))
    b = sb.compile(sb.Model.parse(f"{HEAD}{second}\nJ = mse(v^T h, Y)\ndata: X, Y"))
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 5)), rng.standard_normal((1, 5))
    pa, pb = a.init_params(seed=1), b.init_params(seed=2)  # type: ignore[attr-defined]
    right_a = a.loss_and_grads(pa, X, Y)[1]  # type: ignore[attr-defined]
    right_b = b.loss_and_grads(pb, X, Y)[1]  # type: ignore[attr-defined]
    work: dict = {}
    _, cache_a = a.forward(pa, X, Y, work=work)  # type: ignore[attr-defined]
    _, cache_b = b.forward(pb, X, Y, work=work)  # type: ignore[attr-defined]
    got_a = a.backward(pa, cache_a, work=work)  # type: ignore[attr-defined]
    got_b = b.backward(pb, cache_b, work=work)  # type: ignore[attr-defined]
    for got, right in ((got_a, right_a), (got_b, right_b)):
        for name in right:
            np.testing.assert_array_equal(got[name], right[name])


MODELS = __import__("pathlib").Path(__file__).resolve().parent.parent / "examples" / "models"


@pytest.mark.parametrize("name", ["quadratic", "dot", "trace"])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_jax_model_module_given_numpy_arrays_computes_in_jax(name: str) -> None:
    """hostile45a #2: a model of @, .T and * alone called no jnp function, so given NumPy
    arrays it computed in NumPy and returned a NumPy float and NumPy gradients (jitted, JAX
    arrays): it reads every parameter and data array with jnp.asarray now."""
    jax = pytest.importorskip("jax")
    module = sb.compile(str(MODELS / f"{name}.model"), backend="jax")
    params = {k: np.asarray(v) for k, v in module.init_params(seed=3).items()}  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    data = [rng.standard_normal(shape) for shape in module.DATA_SHAPES.values()]  # type: ignore[attr-defined]
    J, grads = module.loss_and_grads(params, *data)  # type: ignore[attr-defined]
    assert isinstance(J, jax.Array) and J.shape == ()
    assert all(isinstance(g, jax.Array) for g in grads.values())
    J_jit, grads_jit = jax.jit(module.loss_and_grads)(params, *data)  # type: ignore[attr-defined]
    np.testing.assert_allclose(np.asarray(J), np.asarray(J_jit), rtol=1e-6)
    for key in grads:
        np.testing.assert_allclose(np.asarray(grads[key]), np.asarray(grads_jit[key]), rtol=1e-6)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_jax_norm2_computes_in_float8() -> None:
    """hostile45a #3: norm2's float32 accumulation promoted float8 implicitly, which JAX
    refuses (TypePromotionError), though init_params accepts float8."""
    pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    text = "A : 3 x 2\nx : 2 x 1\ny : 3 x 1\nJ = norm2(A x - y)\ndata: y"
    module = sb.compile(sb.Model.parse(text), backend="jax")
    params = module.init_params(dtype=jnp.float8_e5m2)  # type: ignore[attr-defined]
    J, grads = module.loss_and_grads(params, jnp.ones((3, 1), jnp.float8_e5m2))  # type: ignore[attr-defined]
    assert J.dtype == jnp.float8_e5m2 and bool(jnp.isfinite(J.astype(jnp.float32)))
    assert all(g.dtype == jnp.float8_e5m2 for g in grads.values())


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_jax_network_of_products_alone_given_numpy_arrays_computes_in_jax() -> None:
    """hostile45a #2, for a network: identity layers and mse call no jnp function either."""
    jax = pytest.importorskip("jax")
    net = sb.Network.parse("4-3:identity-1:identity", loss="mse")
    module = sb.compile(sb.derive(net, batch=True), backend="jax")
    params = {k: np.asarray(v) for k, v in module.init_params(seed=1).items()}  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((4, 5)), rng.standard_normal((1, 5))
    J, grads = module.loss_and_grads(params, X, Y)  # type: ignore[attr-defined]
    assert isinstance(J, jax.Array) and all(isinstance(g, jax.Array) for g in grads.values())


def test_a_compiled_torch_net_pickles_and_saves_whole() -> None:
    """hostile45a #4: pickle.dumps(net) and torch.save(net, f) of a compiled module's Net (and
    of its Parameters) failed with "import of module 'symbackprop_generated_...' failed"; they
    pickle as the module's source and their tensors now, dtype, values and mode kept."""
    import io
    import pickle

    torch = pytest.importorskip("torch")
    module = sb.compile(sb.Network.parse("4-3-2-1"), backend="torch")
    net = module.Net(dtype=torch.float32, seed=4).eval()  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    torch.save(net, buffer)
    buffer.seek(0)
    for again in (pickle.loads(pickle.dumps(net)), torch.load(buffer, weights_only=False)):
        assert type(again).__name__ == "Net" and again.training is False
        want = net.state_dict()
        got = again.state_dict()
        assert list(got) == list(want)
        for key in want:
            assert got[key].dtype == torch.float32 and torch.equal(got[key], want[key])


@pytest.mark.parametrize("source", ["4-3-2-1", "residual_mlp"])
def test_a_compiled_torch_modules_parameters_pickle(source: str) -> None:
    """The same for the Parameters of a network's Net and of a model's module."""
    import pickle

    torch = pytest.importorskip("torch")
    what = sb.Network.parse(source) if source[0].isdigit() else str(MODELS / f"{source}.model")
    module = sb.compile(what, backend="torch")
    params = module.Parameters(module.init_params(seed=2))  # type: ignore[attr-defined]
    values = pickle.loads(pickle.dumps(params))
    assert type(values).__name__ == "Parameters" and list(values.keys()) == list(params.keys())
    for key in values:
        assert torch.equal(values[key].detach(), params[key].detach())
    whole = module.Net() if source[0].isdigit() else module.Model()  # type: ignore[attr-defined]
    again = pickle.loads(pickle.dumps(whole))
    assert type(again).__name__ == type(whole).__name__  # of the module loaded again
    for key, value in whole.state_dict().items():
        assert torch.equal(again.state_dict()[key], value)


def test_an_interrupt_after_a_file_is_written_says_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """hostile45a #5: a Ctrl-C just after codegen renamed its file into place said only
    "symbackprop: aborted", exit 130, though the new file had replaced the old one."""
    from symbackprop.cli import main as cli_main
    from symbackprop.cli import output

    def interrupted(_path: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "RENAMED", [])
    monkeypatch.setattr(cli_main, "RENAMED", output.RENAMED)
    monkeypatch.setattr(output, "tell_wrote", interrupted)  # right after the rename
    out = tmp_path / "net.py"
    with pytest.raises(SystemExit) as exited:
        cli_main.main.main(["codegen", "4-3-2-1", "-o", str(out)], prog_name="symbackprop")
    assert exited.value.code == 130 and out.exists()
    assert f"symbackprop: aborted after writing {out}; nothing else was written" in (
        capsys.readouterr().err
    )


def test_a_torch_dtype_mismatch_names_both_ways_to_convert() -> None:
    """hostile45a #6: Net(dtype=float64) given float32 data said only to convert W1, a
    parameter of the nn.Module; the data are the other way."""
    torch = pytest.importorskip("torch")
    module = sb.compile(sb.Network.parse("4-3-2-1"), backend="torch")
    net = module.Net(dtype=torch.float64)  # type: ignore[attr-defined]
    with pytest.raises(
        ValueError, match=r"W1.to\(torch.float32\) converts it, X.to\(torch.float64\) the other"
    ):
        net(torch.zeros(4, 3), torch.zeros(1, 3))


def test_a_pdf_that_is_no_regular_file_is_not_told_to_go_to_stdout(tmp_path: Path) -> None:
    """hostile45a #6: '--pdf q.pdf is not a regular file ...; use '-o -' to write to stdout':
    a PDF has no such place."""
    import os

    from click.testing import CliRunner

    from symbackprop.cli.main import main

    os.mkfifo(tmp_path / "q.pdf")
    tex = str(tmp_path / "q.tex")
    result = CliRunner().invoke(main, ["latex", "4-3-2-1", "-o", tex, "--pdf", "--force"])
    assert result.exit_code == 2
    assert "is not a regular file (a device, pipe or socket); name another file" in result.output
    assert "-o -" not in result.output


def test_a_compiled_torch_net_deep_copies_as_any_object(monkeypatch: pytest.MonkeyPatch) -> None:
    """review45 #1: with pickling through the module's source, copy.deepcopy(net) made a Net
    of a module loaded again (isinstance failed), a frozen parameter trainable again, 60
    times slower; and a subclass defined in the caller's module could not be copied or
    pickled. A deep copy is the object's own now, a subclass pickles by its name, and a
    pickled Net keeps its frozen parameters frozen."""
    import copy
    import pickle
    import sys
    import types

    torch = pytest.importorskip("torch")
    module = sb.compile(sb.Network.parse("4-3-2-1"), backend="torch")
    net = module.Net(seed=1)  # type: ignore[attr-defined]
    net.params["W1"].requires_grad_(False)
    copied = copy.deepcopy(net)
    assert type(copied) is type(net) and isinstance(copied, module.Net)  # type: ignore[attr-defined]
    assert copied.params["W1"].requires_grad is False
    assert copied.params["W2"] is not net.params["W2"]
    assert torch.equal(copied.params["W2"], net.params["W2"])
    assert pickle.loads(pickle.dumps(net)).params["W1"].requires_grad is False
    users = types.ModuleType("users_module")
    monkeypatch.setitem(sys.modules, "users_module", users)
    exec(
        "class MyNet(Net):\n    note = 'kept'\n",
        {"Net": module.Net, "__name__": "users_module"},
        users.__dict__,
    )  # type: ignore[attr-defined]
    mine = users.MyNet(seed=2)
    for again in (copy.deepcopy(mine), pickle.loads(pickle.dumps(mine))):
        assert type(again) is users.MyNet and again.note == "kept"
        assert torch.equal(again.params["W1"], mine.params["W1"])


def test_a_pickled_torch_net_keeps_its_whole_state() -> None:
    """review45b #5: rebuilt from its state_dict, a pickled Net with a registered buffer or
    an added submodule failed to load, an attribute was lost, and parameters of two dtypes
    came back in one."""
    import io
    import pickle

    torch = pytest.importorskip("torch")
    module = sb.compile(sb.Network.parse("4-3-1"), backend="torch")
    net = module.Net()  # type: ignore[attr-defined]
    net.epoch = 7
    net.register_buffer("running", torch.arange(2.0))
    net.head = torch.nn.Linear(1, 1)
    with torch.no_grad():
        net.params["W1"].data = net.params["W1"].data.float()
    buffer = io.BytesIO()
    torch.save(net, buffer)
    buffer.seek(0)
    for again in (pickle.loads(pickle.dumps(net)), torch.load(buffer, weights_only=False)):
        assert again.epoch == 7 and torch.equal(again.running, torch.arange(2.0))
        assert isinstance(again.head, torch.nn.Linear)
        assert again.params["W1"].dtype == torch.float32
        assert again.params["b1"].dtype == torch.float64
