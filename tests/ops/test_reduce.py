# SPDX-License-Identifier: Apache-2.0
"""sum, mean, max, min, prod (axis None/int/tuple/negative, keepdims, exclude) against MXNet 1.9.1,
the numpy forms _np_sum/_np_max/_np_min/_np_prod/_npi_mean from MXNet 1.9.1, and _npi_sum,
_npi_mean, _npi_max, _npi_min, _npi_prod from MXNet 2.0.0b1. A full reduction gives shape (1,) in
the 1.x operators and shape () in the numpy ones."""

import json
import struct

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

TOL = {"rtol": 1e-4, "atol": 1e-4}
CASES = []
for op in ("sum", "mean", "max", "min", "prod"):
    CASES += [
        case(f"{op}_all", f"out = mx.sym.{op}(data)", data=(3, 4, 5), **TOL),
        case(f"{op}_axis1", f"out = mx.sym.{op}(data, axis=1)", data=(3, 4, 5), **TOL),
        case(
            f"{op}_axes_keepdims",
            f"out = mx.sym.{op}(data, axis=(0, 2), keepdims=True)",
            data=(3, 4, 5),
            **TOL,
        ),
        case(f"{op}_neg_axis", f"out = mx.sym.{op}(data, axis=-1)", data=(2, 7), **TOL),
        case(
            f"{op}_exclude", f"out = mx.sym.{op}(data, axis=1, exclude=True)", data=(3, 4, 5), **TOL
        ),
    ]
CASES += [
    case("sum_all_keepdims", "out = mx.sym.sum(data, keepdims=True)", data=(3, 4), **TOL),
    case("sum_empty_axis", "out = mx.sym.sum(data, axis=())", data=(3, 4), **TOL),
    case("sum_every_axis_listed", "out = mx.sym.sum(data, axis=(0, 1))", data=(3, 4), **TOL),
    case(
        "sum_exclude_keepdims",
        "out = mx.sym.sum(data, axis=(0, 2), exclude=True, keepdims=True)",
        data=(2, 3, 4),
        **TOL,
    ),
    case(
        "sum_exclude_all_listed",
        "out = mx.sym.sum(data, axis=(0, 1), exclude=True)",
        data=(2, 3),
        **TOL,
    ),
    case("sum_axis_alias", "out = mx.sym.sum_axis(data, axis=0)", data=(4, 3), **TOL),
    case("max_axis_alias", "out = mx.sym.max_axis(data, axis=1)", data=(4, 3), **TOL),
    case("min_axis_alias", "out = mx.sym.min_axis(data, axis=1)", data=(4, 3), **TOL),
    case("mean_size1_axis", "out = mx.sym.mean(data, axis=1)", data=(4, 1, 3), **TOL),
    case(
        "mean_spatial_pool",
        "out = mx.sym.mean(mx.sym.Activation(data, act_type='relu'), axis=(2, 3))",
        data=(2, 8, 7, 7),
        **TOL,
    ),
    case("sum_large", "out = mx.sym.sum(data, axis=1)", data=(4, 4096), rtol=1e-4, atol=1e-3),
]
N = "x = data.as_np_ndarray()\n"
CASES += [
    case("np19_sum_all", N + "out = mx.sym.np.sum(x)", data=(3, 4), **TOL),
    case("np19_sum_axis", N + "out = mx.sym.np.sum(x, axis=1)", data=(3, 4), **TOL),
    case(
        "np19_max", N + "out = mx.sym.np.max(x, axis=(0, 1), keepdims=True)", data=(3, 4, 2), **TOL
    ),
    case("np19_min", N + "out = mx.sym.np.min(x, axis=-1)", data=(3, 4), **TOL),
    case("np19_prod", N + "out = mx.sym.np.prod(x, axis=0)", data=(3, 4), **TOL),
    case("np19_mean", N + "out = mx.sym.np.mean(x, axis=(0, 2))", data=(3, 4, 5), **TOL),
]

test_reduce = oracle_test(CASES)

CASES2 = [
    case("npi_sum_all", N + "out = mx.sym.np.sum(x)", data=(3, 4), **TOL),
    case("npi_sum_all_keepdims", N + "out = mx.sym.np.sum(x, keepdims=True)", data=(3, 4), **TOL),
    case("npi_sum_empty_axis", N + "out = mx.sym.np.sum(x, axis=())", data=(3, 4), **TOL),
    case(
        "npi_sum_dtype", N + "out = mx.sym.np.sum(x, axis=0, dtype='float32')", data=(3, 4), **TOL
    ),
    case("npi_mean_all", N + "out = mx.sym.np.mean(x)", data=(2, 3, 4), **TOL),
    case("npi_mean_axis", N + "out = mx.sym.np.mean(x, axis=1)", data=(2, 3, 4), **TOL),
    case(
        "npi_max_axes",
        N + "out = mx.sym.np.max(x, axis=(0, 1), keepdims=True)",
        data=(2, 3, 4),
        **TOL,
    ),
    case("npi_min_all", N + "out = mx.sym.np.min(x)", data=(2, 3), **TOL),
    case("npi_prod_axis", N + "out = mx.sym.np.prod(x, axis=-1)", data=(2, 3), **TOL),
    case("legacy_sum_in_mx2", "out = mx.sym.sum(data)", data=(2, 3), **TOL),
]

test_reduce_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _predictor(tmp_path, op, attrs, shape):
    return one_node(tmp_path, op, attrs, {"data": shape}, name="r")


def test_reduce_rejects_axis_out_of_range(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"sum node 'r'.*axis 2 is out of bounds"
    ):
        _predictor(tmp_path, "sum", {"axis": "(2,)"}, (3, 4))


def test_reduce_rejects_repeated_axis(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"axis 1 is repeated"):
        _predictor(tmp_path, "_npi_mean", {"axis": "(1, -1)"}, (3, 4))


def test_reduce_rejects_initial(tmp_path):
    with pytest.raises(
        mxserve.MXServeError, match=r"_npi_sum node 'r'.*'initial' is not supported"
    ):
        _predictor(tmp_path, "_npi_sum", {"axis": "None", "initial": "1.0"}, (3, 4))


def test_reduce_rejects_int_input(tmp_path):
    import numpy as np

    sym = json.dumps(
        {
            "nodes": [
                {"op": "null", "name": "data", "inputs": []},
                {"op": "sum", "name": "r", "inputs": [[0, 0, 0]]},
            ],
            "arg_nodes": [0],
            "heads": [[1, 0, 0]],
        }
    )
    params = tmp_path / "empty.params"
    params.write_bytes(struct.pack("<QQQQ", 0x112, 0, 0, 0))
    with pytest.raises(
        mxserve.UnsupportedError, match=r"sum node 'r'.*dtype int32 is not supported"
    ):
        mxserve.Predictor(sym, params, input_shapes={"data": (3, 4)}, dtypes={"data": np.int32})
