# SPDX-License-Identifier: Apache-2.0
"""RNN against MXNet 1.9.1: lstm, gru, rnn_relu and rnn_tanh, stacked and bidirectional, with
and without state outputs, LSTM with a projection (LSTMP); gluon's rnn.LSTM / GRU / RNN layers
exported from symbol mode (their _rnn_param_concat packing, NTC layout); LSTM state clipping
against an independent numpy LSTM; load-time rejections."""

from __future__ import annotations

import numpy as np
import pytest
from ops._harness import one_node_symbol
from oracle.cases import Case, oracle_test, run_cases
from oracle.gluon import run_c_api

import mxserve


def rnn_case(
    name: str,
    mode: str,
    t: int,
    n: int,
    i: int,
    h: int,
    layers: int = 1,
    bidirectional: bool = False,
    state_outputs: bool = False,
    extra: str = "",
    proj: int | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-5,
) -> Case:
    """mx.sym.RNN on data (t, n, i) with random initial states and a parameter vector in
    [-0.5, 0.5)."""
    d = 2 if bidirectional else 1
    r = proj or h
    inputs = {"data": (t, n, i), "state": (layers * d, n, r)}
    args = "data, params, state"
    if mode == "lstm":
        inputs["state_cell"] = (layers * d, n, h)
        args += ", state_cell"
    if proj is not None:
        extra += f", projection_size={proj}"
    code = (
        "params = mx.sym.var('params')\n"
        f"out = mx.sym.RNN({args}, state_size={h}, num_layers={layers}, mode='{mode}', "
        f"bidirectional={bidirectional}, state_outputs={state_outputs}{extra})"
    )
    return Case(
        name=name,
        code=code,
        inputs=inputs,
        params={"params": (-0.5, 0.5)},
        rtol=rtol,
        atol=atol,
    )


def gluon_case(
    name: str, layer: str, t: int, n: int, i: int, states: int, layout: str = "TNC", **kw
) -> Case:
    """A gluon rnn layer called on symbols with explicit initial states: the exported graph
    packs its weights with _rnn_param_concat."""
    kwargs = ", ".join(f"{k}={v!r}" for k, v in kw.items())
    d = 2 if kw.get("bidirectional") else 1
    layers = kw.get("num_layers", 1)
    hidden = kw["hidden_size"]
    shape = (n, t, i) if layout == "NTC" else (t, n, i)
    inputs = {"data": shape, "h0": (layers * d, n, kw.get("projection_size", hidden))}
    names = "[h0]"
    if states == 2:
        inputs["c0"] = (layers * d, n, hidden)
        names = "[h0, c0]"
    code = (
        "from mxnet.gluon import rnn as grnn\n"
        f"layer = grnn.{layer}({kwargs}, layout='{layout}', input_size={i}, prefix='r_')\n"
        f"o, s = layer(data, {names})\n"
        "out = mx.sym.Group([o] + list(s))"
    )
    return Case(name=name, code=code, inputs=inputs, rtol=1e-4, atol=1e-5)


CASES = [
    rnn_case("lstm_t1_n1", "lstm", 1, 1, 4, 5),
    rnn_case("lstm_basic", "lstm", 5, 3, 4, 6, state_outputs=True),
    rnn_case("lstm_2layers", "lstm", 4, 2, 3, 5, layers=2, state_outputs=True),
    rnn_case("lstm_i_eq_h_3layers", "lstm", 3, 2, 6, 6, layers=3, state_outputs=True),
    rnn_case("lstm_bidir", "lstm", 4, 2, 3, 5, bidirectional=True, state_outputs=True),
    rnn_case("lstm_bidir_2layers", "lstm", 6, 3, 4, 5, layers=2, bidirectional=True),
    rnn_case(
        "lstm_bidir_2layers_states",
        "lstm",
        3,
        1,
        4,
        3,
        layers=2,
        bidirectional=True,
        state_outputs=True,
    ),
    rnn_case("gru_t1_n1", "gru", 1, 1, 3, 4, state_outputs=True),
    rnn_case("gru_basic", "gru", 5, 3, 4, 6, state_outputs=True),
    rnn_case("gru_2layers", "gru", 4, 2, 7, 5, layers=2),
    rnn_case(
        "gru_bidir_2layers", "gru", 5, 2, 3, 4, layers=2, bidirectional=True, state_outputs=True
    ),
    rnn_case("rnn_tanh_basic", "rnn_tanh", 5, 3, 4, 6, state_outputs=True),
    rnn_case("rnn_tanh_bidir_3layers", "rnn_tanh", 4, 2, 3, 5, layers=3, bidirectional=True),
    rnn_case("rnn_relu_basic", "rnn_relu", 6, 2, 4, 5, state_outputs=True),
    rnn_case(
        "rnn_relu_bidir_2layers",
        "rnn_relu",
        3,
        1,
        2,
        4,
        layers=2,
        bidirectional=True,
        state_outputs=True,
    ),
    rnn_case("lstm_dropout_ignored", "lstm", 4, 2, 3, 5, layers=2, extra=", p=0.5"),
    rnn_case("lstmp", "lstm", 5, 2, 4, 6, proj=3, state_outputs=True),
    rnn_case("lstmp_2layers", "lstm", 4, 3, 5, 6, layers=2, proj=4, state_outputs=True),
    rnn_case(
        "lstmp_bidir_2layers",
        "lstm",
        4,
        2,
        3,
        5,
        layers=2,
        bidirectional=True,
        proj=2,
        state_outputs=True,
    ),
    # MXNet's CPU kernel ignores state clipping, so with bounds the states never reach these
    # cases check mxserve's clipping kernel against it.
    rnn_case(
        "lstm_clip_inactive_bidir_2layers",
        "lstm",
        4,
        2,
        3,
        5,
        layers=2,
        bidirectional=True,
        state_outputs=True,
        extra=", lstm_state_clip_min=-100.0, lstm_state_clip_max=100.0",
    ),
    rnn_case(
        "lstm_clip_inactive_nan_t1",
        "lstm",
        1,
        3,
        4,
        2,
        state_outputs=True,
        extra=", lstm_state_clip_min=-50.0, lstm_state_clip_max=50.0, lstm_state_clip_nan=True",
    ),
    rnn_case("lstm_large", "lstm", 8, 4, 32, 64, layers=2, rtol=1e-4, atol=1e-5),
    gluon_case("gluon_lstm", "LSTM", 4, 2, 5, 2, hidden_size=6, num_layers=2),
    gluon_case(
        "gluon_lstm_bidir_ntc",
        "LSTM",
        3,
        2,
        4,
        2,
        layout="NTC",
        hidden_size=5,
        bidirectional=True,
    ),
    gluon_case("gluon_gru_t1", "GRU", 1, 3, 4, 1, hidden_size=5, num_layers=2),
    gluon_case(
        "gluon_gru_bidir_ntc", "GRU", 4, 1, 3, 1, layout="NTC", hidden_size=4, bidirectional=True
    ),
    gluon_case("gluon_rnn_relu", "RNN", 5, 2, 3, 1, hidden_size=4, activation="relu"),
    gluon_case(
        "gluon_rnn_tanh_2layers",
        "RNN",
        3,
        2,
        4,
        1,
        hidden_size=6,
        num_layers=2,
        activation="tanh",
    ),
    gluon_case("gluon_lstmp", "LSTM", 4, 2, 5, 2, hidden_size=6, projection_size=3),
    gluon_case(
        "gluon_lstmp_bidir_2layers",
        "LSTM",
        3,
        2,
        4,
        2,
        hidden_size=5,
        projection_size=2,
        num_layers=2,
        bidirectional=True,
    ),
]

PARAM_CONCAT_CASES = [
    Case(
        name="rnn_param_concat_1d",
        code="out = mx.sym._internal._rnn_param_concat(a, b, c, dim=0, num_args=3)",
        inputs={"a": (6,), "b": (1,), "c": (4,)},
    ),
    Case(
        name="rnn_param_concat_2d",
        code="out = mx.sym._internal._rnn_param_concat(a, b, dim=0, num_args=2)",
        inputs={"a": (2, 3), "b": (4, 3)},
    ),
]

test_rnn = oracle_test(CASES)
test_rnn_param_concat = oracle_test(PARAM_CONCAT_CASES)


@pytest.mark.parametrize("name", ["lstm_bidir_2layers_states", "gru_basic", "lstmp"])
def test_rnn_through_the_c_api(name: str) -> None:
    """RNN graphs with several outputs (the sequence and the final states) through the C API's
    MXPredCreateEx / MXPredGetOutput, against MXNet's outputs."""
    d = run_cases(CASES) / name
    with np.load(d / "inputs.npz") as f:
        inputs = {k: f[k] for k in f.files}
    with np.load(d / "outputs.npz") as f:
        expected = [f[k] for k in sorted(f.files, key=lambda s: int(s.split("_")[1]))]
    got = run_c_api(d, inputs, len(expected), d / "symbol.json", d / "model.params")
    for i, (g, w) in enumerate(zip(got, expected)):
        assert g.shape == w.shape, f"output {i}"
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5, err_msg=f"{name} output {i}")


CASES2 = [
    rnn_case("mx2_lstm_bidir", "lstm", 3, 2, 4, 5, bidirectional=True, state_outputs=True),
    rnn_case("mx2_gru_2layers", "gru", 4, 1, 3, 4, layers=2, state_outputs=True),
    rnn_case("mx2_rnn_tanh", "rnn_tanh", 2, 3, 4, 3),
]

test_rnn_mxnet2 = oracle_test(CASES2, version="2.0.0b1")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_lstm(x, w, h0, c0, hidden, layers=1, dirs=1, proj=None, clip=None):
    """MXNet's LSTM in float64 from its parameter packing: per layer and direction i2h, h2h (and
    h2r with a projection), then per layer and direction the two biases. The cell state is
    clipped to `clip` = (lo, hi) after every step when given."""
    t_len = x.shape[0]
    g, r = 4 * hidden, proj or hidden
    w = w.astype(np.float64)
    pos, weights = 0, []
    for layer in range(layers):
        inp = x.shape[2] if layer == 0 else dirs * r
        for _ in range(dirs):
            wx = w[pos : pos + g * inp].reshape(g, inp)
            pos += g * inp
            wh = w[pos : pos + g * r].reshape(g, r)
            pos += g * r
            wr = None
            if proj:
                wr = w[pos : pos + r * hidden].reshape(r, hidden)
                pos += r * hidden
            weights.append((wx, wh, wr))
    biases = [w[pos + k * 2 * g : pos + (k + 1) * 2 * g] for k in range(layers * dirs)]
    hy, cy = [], []
    for layer in range(layers):
        y = np.zeros((t_len, x.shape[1], dirs * r))
        for d in range(dirs):
            k = layer * dirs + d
            wx, wh, wr = weights[k]
            bias = biases[k][:g] + biases[k][g:]
            h, c = h0[k].astype(np.float64), c0[k].astype(np.float64)
            for t in range(t_len)[:: -1 if d else 1]:
                z = x[t] @ wx.T + h @ wh.T + bias
                i, f, gg, o = (z[:, j * hidden : (j + 1) * hidden] for j in range(4))
                c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(gg)
                if clip is not None:
                    c = np.clip(c, *clip)
                h = _sigmoid(o) * np.tanh(c)
                if proj:
                    h = h @ wr.T
                y[t, :, d * r : (d + 1) * r] = h
            hy.append(h)
            cy.append(c)
        x = y
    return x, np.stack(hy), np.stack(cy)


def rnn_predictor(tmp_path, attrs, data, params, states, num_outputs=1):
    """One RNN node named 'n' reading data, the parameter vector `params` (bound as a
    parameter) and the initial states, in RNN's argument order."""
    names = ["data", "params", "state", "state_cell"][: 2 + len(states)]
    sym = one_node_symbol("RNN", attrs, names, num_outputs=num_outputs)
    path = tmp_path / "rnn.params"
    mxserve.nd.save(path, {"arg:params": params})
    shapes = {"data": data, **dict(zip(names[2:], states))}
    return mxserve.Predictor(sym, path, input_shapes=shapes)


def lstm_attrs(hidden, **extra):
    attrs = {"mode": "lstm", "state_size": str(hidden), "num_layers": "1", "state_outputs": "True"}
    attrs.update({k: str(v) for k, v in extra.items()})
    return attrs


def lstm_size(inp, hidden, layers=1, dirs=1, proj=None):
    r = proj or hidden
    size = 0
    for layer in range(layers):
        size += dirs * 4 * hidden * ((inp if layer == 0 else dirs * r) + r) + dirs * 8 * hidden
        size += dirs * r * hidden if proj else 0
    return size


@pytest.mark.parametrize(
    "layers, dirs, proj",
    [(1, 1, None), (2, 2, None), (2, 1, 3), (2, 2, 2)],
    ids=["one_layer", "bidir_2layers", "lstmp_2layers", "lstmp_bidir_2layers"],
)
def test_rnn_lstm_state_clip(tmp_path, layers, dirs, proj):
    # MXNet 1.9.1's CPU kernel ignores lstm_state_clip_min/max (only cuDNN applies them), so the
    # expected values come from numpy.
    t_len, n, inp, hidden = 6, 3, 4, 5
    r = proj or hidden
    rng = np.random.RandomState(0)
    w = rng.uniform(-1.5, 1.5, lstm_size(inp, hidden, layers, dirs, proj)).astype(np.float32)
    x = rng.uniform(-2, 2, (t_len, n, inp)).astype(np.float32)
    h0 = rng.uniform(-1, 1, (layers * dirs, n, r)).astype(np.float32)
    c0 = rng.uniform(-3, 3, (layers * dirs, n, hidden)).astype(np.float32)
    extra = {"num_layers": layers, "bidirectional": dirs == 2, "lstm_state_clip_min": -0.3}
    extra["lstm_state_clip_max"] = 0.4
    if proj:
        extra["projection_size"] = proj
    attrs = lstm_attrs(hidden, **extra)
    p = rnn_predictor(tmp_path, attrs, x.shape, w, [h0.shape, c0.shape], num_outputs=3)
    assert p.info()["kernels"][0][1] == "ref:lstm_clip"
    y, hy, cy = p(data=x, state=h0, state_cell=c0)
    want = numpy_lstm(x, w, h0, c0, hidden, layers, dirs, proj, clip=(-0.3, 0.4))
    for got, exp in zip((y, hy, cy), want):
        np.testing.assert_allclose(got, exp, rtol=1e-5, atol=1e-6)
    assert cy.max() <= np.float32(0.4) and cy.min() >= np.float32(-0.3)


@pytest.mark.parametrize("clip", [False, True], ids=["onednn", "clip_kernel"])
def test_rnn_empty_initial_state_is_zero(tmp_path, clip):
    # Gluon layers exported without states pass _zeros(shape=(L*D, 0, H)): batch size 0.
    t_len, n, inp, hidden = 4, 2, 3, 5
    rng = np.random.RandomState(1)
    w = rng.uniform(-1, 1, lstm_size(inp, hidden, 2, 2)).astype(np.float32)
    x = rng.uniform(-1, 1, (t_len, n, inp)).astype(np.float32)
    extra = {"num_layers": 2, "bidirectional": True}
    if clip:
        extra.update(lstm_state_clip_min=-100, lstm_state_clip_max=100)
    p = rnn_predictor(
        tmp_path, lstm_attrs(hidden, **extra), x.shape, w, [(4, 0, hidden), (4, 0, hidden)], 3
    )
    empty = np.zeros((4, 0, hidden), np.float32)
    y, hy, cy = p(data=x, state=empty, state_cell=empty)
    zeros = np.zeros((4, n, hidden))
    want = numpy_lstm(x, w, zeros, zeros, hidden, 2, 2)
    for got, exp in zip((y, hy, cy), want):
        np.testing.assert_allclose(got, exp, rtol=1e-5, atol=1e-6)


LSTM_ATTRS = {"mode": "lstm", "state_size": "4", "num_layers": "1"}
LSTM_SIZE = 4 * 4 * (3 + 4 + 2)  # (input 3 + state 4 + 2 biases) * 4 gates * 4


def _load(tmp_path, attrs, size=LSTM_SIZE, states=((1, 1, 4), (1, 1, 4))):
    return rnn_predictor(tmp_path, attrs, (2, 1, 3), np.zeros(size, np.float32), list(states))


def test_rnn_rejects_bad_mode(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"RNN node 'n'.*'mode'.*'lstmx'"):
        _load(tmp_path, {**LSTM_ATTRS, "mode": "lstmx"})


def test_rnn_rejects_wrong_parameter_size(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"RNN node 'n'.*parameters has shape \(100,\), expected \(144,\)",
    ):
        _load(tmp_path, LSTM_ATTRS, size=100)


def test_rnn_rejects_projection_with_gru(tmp_path):
    attrs = {**LSTM_ATTRS, "mode": "gru", "projection_size": "2", "state_outputs": "True"}
    with pytest.raises(mxserve.InvalidArgumentError, match=r"RNN node 'n'.*projection_size.*LSTM"):
        _load(tmp_path, attrs, size=3 * 4 * 9, states=[(1, 1, 2)])


def test_rnn_rejects_sequence_length(tmp_path):
    attrs = {**LSTM_ATTRS, "use_sequence_length": "True"}
    with pytest.raises(mxserve.UnsupportedError, match=r"RNN node 'n'.*use_sequence_length"):
        _load(tmp_path, attrs)


def test_rnn_rejects_one_sided_clip(tmp_path):
    attrs = {**LSTM_ATTRS, "lstm_state_clip_min": "-1"}
    with pytest.raises(mxserve.InvalidArgumentError, match=r"RNN node 'n'.*specified together"):
        _load(tmp_path, attrs)


def test_rnn_rejects_wrong_state_shape(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"RNN node 'n'.*state.*\(1, 1, 4\)"):
        _load(tmp_path, LSTM_ATTRS, states=[(2, 1, 4), (1, 1, 4)])


def test_rnn_rejects_computed_parameters(tmp_path):
    sym = one_node_symbol("RNN", LSTM_ATTRS, ["data", "params", "state", "state_cell"])
    shapes = {
        "data": (2, 1, 3),
        "params": (LSTM_SIZE,),
        "state": (1, 1, 4),
        "state_cell": (1, 1, 4),
    }
    with pytest.raises(mxserve.UnsupportedError, match=r"RNN node 'n'.*must be a parameter"):
        mxserve.Predictor(sym, None, input_shapes=shapes)


def test_rnn_param_concat_rejects_other_dim(tmp_path):
    sym = one_node_symbol("_rnn_param_concat", {"num_args": "2", "dim": "1"}, ["a", "b"])
    with pytest.raises(mxserve.UnsupportedError, match=r"_rnn_param_concat node 'n'.*dim=0"):
        mxserve.Predictor(sym, None, input_shapes={"a": (2, 3), "b": (2, 4)})
