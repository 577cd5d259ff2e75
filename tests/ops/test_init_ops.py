# SPDX-License-Identifier: Apache-2.0
"""Creation operators against MXNet 1.9.1 and 2.0.0b1: _zeros, _ones, _full (no inputs, alone
and inside a graph), zeros_like, ones_like, _arange (stop only, negative and fractional steps,
repeat, integer and float16 dtypes), _contrib_arange_like, and the _npi_ forms of MXNet 2.0."""

import json

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve


def _g(name, code, rtol=1e-5, atol=1e-5):
    """A zero-input op as a graph head next to an input (a Predictor needs one input)."""
    if ".np." in code:
        code += "\nout = out.as_nd_ndarray()"
    return case(
        name,
        code + "\nout = mx.sym.Group([out, mx.sym.Activation(data, act_type='relu')])",
        rtol,
        atol,
        data=(1,),
    )


def _c(name, code, dtype=None, **inputs):
    return Case(
        name=name,
        code=code,
        inputs={k: tuple(v) for k, v in inputs.items()},
        dtypes={k: dtype for k in inputs} if dtype else {},
        low=-5,
        high=5,
    )


CASES = [
    _g("zeros_alone", "out = mx.sym.zeros(shape=(2, 3))"),
    _g("ones_int32", "out = mx.sym.ones(shape=(4,), dtype='int32')"),
    _g("full_f16", "out = mx.sym.full(shape=(2, 2), val=2.7, dtype='float16')", 1e-3, 1e-3),
    _g("full_int64_truncates", "out = mx.sym.full(shape=(3, 1), val=-2.7, dtype='int64')"),
    _g("full_uint8", "out = mx.sym.full(shape=(5,), val=200, dtype='uint8')"),
    case("zeros_plus_data", "out = mx.sym.zeros(shape=(2, 3)) + data", data=(2, 3)),
    case("zeros_like", "out = mx.sym.zeros_like(data)", data=(3, 4)),
    _c("ones_like_int64", "out = mx.sym.ones_like(data)", dtype="int64", data=(2, 5)),
    case("ones_like_f16", "out = mx.sym.ones_like(data)", dtype="float16", data=(2, 5)),
    _g("arange_stop_only", "out = mx.sym.arange(5)"),
    _g("arange_fraction", "out = mx.sym.arange(0.1, 2.2, 0.3)"),
    _g("arange_negative_step", "out = mx.sym.arange(2.0, -3, -0.7)"),
    _g("arange_repeat", "out = mx.sym.arange(1, 4, repeat=3)"),
    _g("arange_int32", "out = mx.sym.arange(-3.9, 7, 2.2, dtype='int32')"),
    _g("arange_int64_repeat", "out = mx.sym.arange(0, 5, 1, repeat=2, dtype='int64')"),
    _g("arange_f16_integer_math", "out = mx.sym.arange(1.5, 20, 2.5, dtype='float16')"),
    _g("arange_f64", "out = mx.sym.arange(0.1, 1.0, 0.1, dtype='float64')"),
    _g("arange_large", "out = mx.sym.arange(0, 100000, 1)"),
    case(
        "arange_in_graph",
        "out = mx.sym.broadcast_mul(mx.sym.reshape(mx.sym.arange(6), shape=(2, 3)), data)",
        data=(2, 3),
    ),
    case("arange_like", "out = mx.sym.contrib.arange_like(data)", data=(3, 4)),
    case(
        "zeros_like_parameter_folded",
        "w = mx.sym.var('w', shape=(2, 3))\n"
        "out = mx.sym.zeros_like(w) + mx.sym.ones_like(w) + data",
        data=(2, 3),
    ),
    case(
        "arange_repeat_gluoncv_rcnn",
        "out = mx.sym.broadcast_add(mx.sym.reshape(mx.sym.arange(0, 2, repeat=3), (-1, 1)), data)",
        data=(6, 4),
    ),
    case(
        "arange_like_gluoncv_ssd",
        "out = mx.sym.contrib.arange_like(mx.sym.slice_axis(data, axis=-1, begin=0, end=1))",
        data=(2, 5, 4),
    ),
    case(
        "arange_like_axis",
        "out = mx.sym.contrib.arange_like(data, start=0.5, step=0.25, axis=-1)",
        data=(3, 7),
    ),
    case(
        "arange_like_repeat",
        "out = mx.sym.contrib.arange_like(data, start=-2, step=0.3, repeat=2)",
        data=(2, 5),
    ),
    _c(
        "arange_like_int32",
        "out = mx.sym.contrib.arange_like(data, start=1.7, step=2.6)",
        dtype="int32",
        data=(2, 3),
    ),
    Case(
        name="arange_like_f16",
        code="out = mx.sym.contrib.arange_like(data, start=-1.5, step=-2.7, axis=0)",
        inputs={"data": (6, 2)},
        dtypes={"data": "float16"},
    ),
]

test_init_ops = oracle_test(CASES)

N = "x = data.as_np_ndarray()\n"
# mx.sym.np.full writes a `value` attribute that MXNet 2.0's _npi_full refuses; the internal
# symbol takes _npi_full's own attributes.
FULL = (
    "mx.sym.np._internal.full(shape={}, dtype={}, value_type={}, double_value={}, "
    "int_value={}, uint_value={})"
)
CASES2 = [
    _g("npi_zeros", "out = mx.sym.np.zeros((2, 3))"),
    _g("npi_zeros_empty", "out = mx.sym.np.zeros((2, 0))"),
    _g("npi_ones_int32", "out = mx.sym.np.ones((3,), dtype='int32')"),
    _g("npi_full_int", "out = " + FULL.format("(2, 2)", "'int32'", 0, 0.0, 3, 0)),
    _g("npi_full_float", "out = " + FULL.format("(2, 2)", "'float32'", 2, 2.5, 0, 0)),
    _g("npi_full_int64", "out = " + FULL.format("(2,)", "'int64'", 0, 0.0, -7, 0)),
    _g("npi_full_uint8", "out = " + FULL.format("(3,)", "'uint8'", 1, 0.0, 0, 200)),
    _g("npi_full_f16", "out = " + FULL.format("(3,)", "'float16'", 2, 0.1, 0, 0), 1e-3, 1e-3),
    case("npi_full_like", N + "out = mx.sym.np.full_like(x, 4.5)", data=(2, 3)),
    case("npi_full_like_int32", N + "out = mx.sym.np.full_like(x, -3.7, dtype='int32')", data=(3,)),
    case("npi_zeros_like", N + "out = mx.sym.np.zeros_like(x)", data=(2, 3)),
    case("npi_ones_like", N + "out = mx.sym.np.ones_like(x)", data=(4,)),
    _g("npi_arange", "out = mx.sym.np.arange(5)"),
    _g("npi_arange_range", "out = mx.sym.np.arange(1.5, 4, 0.5)"),
    _g("npi_arange_empty", "out = mx.sym.np.arange(3, 1)"),
    case("npx_arange_like", N + "out = mx.sym.npx.arange_like(x, start=1, axis=0)", data=(4, 2)),
    case(
        "npi_arange_in_graph",
        N + "out = x + mx.sym.np.arange(3)",
        data=(2, 3),
    ),
]

test_init_ops_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _zero_input(tmp_path, op, attrs):
    """A graph with one input `data` (a Predictor needs one) and the zero-input node `c`; both are
    heads."""
    sym = {
        "nodes": [
            {"op": "null", "name": "data", "inputs": []},
            {"op": op, "name": "c", "attrs": dict(attrs), "inputs": []},
        ],
        "arg_nodes": [0],
        "heads": [[1, 0, 0], [0, 0, 0]],
    }
    mxserve.nd.save(tmp_path / "c.params", {})
    return mxserve.Predictor(json.dumps(sym), tmp_path / "c.params", input_shapes={"data": (1,)})


def test_zeros_rejects_negative_shape(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_zeros node 'c'.*must be known"):
        _zero_input(tmp_path, "_zeros", {"shape": "(2, -1)"})


def test_zeros_rejects_unknown_dtype(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_zeros node 'c'.*unknown dtype"):
        _zero_input(tmp_path, "_zeros", {"shape": "(2,)", "dtype": "complex64"})


def test_full_rejects_missing_value(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_full node 'c'.*'value' is missing"):
        _zero_input(tmp_path, "_full", {"shape": "(2,)"})


def test_arange_rejects_zero_step(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_arange node 'c'.*step cannot be 0"):
        _zero_input(tmp_path, "_arange", {"start": "0", "stop": "3", "step": "0"})


def test_arange_rejects_empty_range(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_arange node 'c'.*invalid range"):
        _zero_input(tmp_path, "_arange", {"start": "3", "stop": "1"})


def test_arange_rejects_infer_range(tmp_path):
    with pytest.raises(mxserve.UnsupportedError, match=r"_arange node 'c'.*infer_range=True"):
        _zero_input(tmp_path, "_arange", {"start": "0", "infer_range": "True"})


def test_npi_arange_rejects_repeat(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_arange node 'c'.*repeat=1"):
        _zero_input(tmp_path, "_npi_arange", {"start": "0", "stop": "3", "repeat": "2"})


def test_zeros_like_rejects_attributes(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"zeros_like node 'c'.*'value'"):
        one_node(tmp_path, "zeros_like", {"value": "1"}, {"data": (2,)}, name="c")


def test_arange_like_rejects_axis(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_contrib_arange_like node 'c'.*axis"):
        one_node(tmp_path, "_contrib_arange_like", {"axis": "2"}, {"data": (2, 3)}, name="c")


def test_zero_input_node_runs_on_every_call(tmp_path):
    # The constant head is written again on every forward, not only on the first one.
    sym = {
        "nodes": [
            {"op": "null", "name": "data", "inputs": []},
            {"op": "_arange", "name": "c", "attrs": {"start": "2", "stop": "5"}, "inputs": []},
            {"op": "elemwise_add", "name": "s", "inputs": [[1, 0, 0], [0, 0, 0]]},
        ],
        "arg_nodes": [0],
        "heads": [[1, 0, 0], [2, 0, 0]],
    }
    mxserve.nd.save(tmp_path / "m.params", {})
    p = mxserve.Predictor(json.dumps(sym), tmp_path / "m.params", input_shapes={"data": (3,)})
    for k in range(3):
        c, s = p(data=np.full((3,), k, np.float32))
        np.testing.assert_array_equal(c, np.arange(2, 5, dtype=np.float32))
        np.testing.assert_array_equal(s, np.arange(2, 5, dtype=np.float32) + k)


def test_npi_full_reads_the_1x_value_attribute(tmp_path):
    # MXNet 1.9.1 registers _npi_full as an alias of _full, written with `value`.
    p = _zero_input(tmp_path, "_npi_full", {"shape": "(2, 2)", "value": "1.5", "dtype": "float64"})
    c, _ = p(data=np.zeros((1,), np.float32))
    np.testing.assert_array_equal(c, np.full((2, 2), 1.5))
    assert c.dtype == np.float64
