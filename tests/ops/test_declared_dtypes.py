# SPDX-License-Identifier: Apache-2.0
"""The input dtypes each CPU kernel declares (`r.Add(...).DTypes(...)`) are enforced at load time
and are true: every one-node oracle case of tests/ops, rebound with an input dtype its kernel does
not declare, fails to load with an error naming the node, the operator and the dtype; and the
declared dtypes other than float32 of a representative set of operators (copies and shape
operators, comparisons, index inputs, Cast) run and give numpy's answer."""

from __future__ import annotations

import functools
import json
import pathlib
from typing import Any

import numpy as np
import pytest
from ops._harness import one_node, run_one_node
from oracle import cases

import mxserve
from mxserve import _runtime


# Dtypes a rebound case may use: numpy has them, and none is rewritten before the kernels see it
# (float16 graphs are widened to float32 by exec/float16.cc).
CANDIDATES = ("int32", "float64", "int64", "uint8", "int8", "bool", "uint16", "int16")


def _accepted(dtypes: dict[str, Any], i: int) -> set[str]:
    return set(dtypes["inputs"].get(i, dtypes["data"]))


def _undeclared(op: str, num_inputs: int = 64) -> tuple[list[int], str] | None:
    """(positions, dtype): a dtype the CPU kernel of `op` refuses at those input positions (its
    data inputs, or one input declared apart) among the first `num_inputs`; None when every
    candidate is declared everywhere."""
    dtypes = _runtime.kernel_dtypes(op)
    if dtypes is None:
        return None
    data = [i for i in range(num_inputs) if i not in dtypes["inputs"]]
    for d in CANDIDATES:
        if data and d not in dtypes["data"]:
            return data, d
    for i, ds in sorted(dtypes["inputs"].items()):
        for d in CANDIDATES:
            if i < num_inputs and d not in ds:
                return [i], d
    return None


@functools.cache
def _one_node_cases() -> dict[str, tuple[cases.Case, pathlib.Path]]:
    """Operator name -> its first oracle case (and result folder) whose exported symbol is one
    operator node over variables."""
    found: dict[str, tuple[cases.Case, pathlib.Path]] = {}
    for c, folder, _ in cases.all_results():
        sym = folder / c.name / "symbol.json"
        if not sym.exists():
            continue
        nodes = json.loads(sym.read_text())["nodes"]
        ops = [n for n in nodes if n["op"] != "null"]
        if len(ops) == 1 and ops[0]["op"] not in found:
            found[ops[0]["op"]] = (c, folder)
    canonical = {}
    for row in _runtime.operator_table():
        for name in (row["name"], *row["aliases"]):
            if name in found and row["name"] not in canonical:
                canonical[row["name"]] = found[name]
    return canonical


REFUSING = sorted(
    row["name"]
    for row in _runtime.operator_table()
    if row["dtypes"] is not None and _undeclared(row["name"]) is not None
)


_MIN, _MAX = np.array([-1.0], np.float32), np.array([1.0], np.float32)
_RANGE = {"min_data": _MIN, "max_data": _MAX}
_PROPOSAL = {"rpn_pre_nms_top_n": "20", "rpn_post_nms_top_n": "5"}
_ROI = {"pooled_size": "(2, 2)", "spatial_scale": "1.0"}
_SEQ = {"use_sequence_length": "True"}
_BINARY = {"lhs": (2, 3), "rhs": (2, 3)}
_SCALAR = {"scalar": "2.0"}
_MASKED = ({"axis": "-1"}, {"data": (2, 3), "mask": (2, 3)}, {}, {"mask": "bool"})
_ROIS = (_ROI, {"data": (1, 2, 8, 8), "rois": (3, 5)}, {}, {})
_SEQUENCE = (_SEQ, {"data": (4, 2, 3), "sequence_length": (2,)}, {}, {})

#: Operators whose oracle tests build more than one node (their inputs are computed, or the
#: case is a chain such as quantize -> op -> dequantize), or whose one-node case leaves out the
#: restricted input: (attrs, data input shapes, parameters, data input dtypes) of a one-node
#: graph that passes shape inference, built here without MXNet.
FALLBACK: dict[str, tuple[dict, dict, dict, dict]] = {
    "masked_softmax": _MASKED,
    "masked_log_softmax": _MASKED,
    "broadcast_logical_or": ({}, {"lhs": (2, 3), "rhs": (1, 3)}, {}, {}),
    "_logical_or": ({}, _BINARY, {}, {}),
    "_logical_or_scalar": (_SCALAR, {"data": (2, 3)}, {}, {}),
    "_logical_xor_scalar": (_SCALAR, {"data": (2, 3)}, {}, {}),
    "_npi_where_scalar2": ({"x": "1.0", "y": "0.0"}, {"condition": (2, 3)}, {}, {}),
    **{
        op: (_SCALAR, {"data": (2, 3)}, {}, {})
        for op in (
            "_npi_rmod_scalar",
            "_npi_rfmod_scalar",
            "_npi_rfloor_divide_scalar",
            "_npi_logical_xor_scalar",
            "_npi_logical_or_scalar",
            "_npi_copysign_scalar",
        )
    },
    **{op: ({}, _BINARY, {}, {}) for op in ("_npi_logical_xor", "_npi_logical_or", "_npi_ldexp")},
    # integer-only operators
    **{
        op: (_SCALAR, {"data": (2, 3)}, {}, {"data": "int32"})
        for op in ("_npi_gcd_scalar", "_npi_bitwise_xor_scalar")
    },
    **{
        op: ({}, _BINARY, {}, {"lhs": "int32", "rhs": "int32"})
        for op in ("_npi_lcm", "_npi_gcd", "_npi_bitwise_xor")
    },
    "_npi_bitwise_not": ({}, {"data": (2, 3)}, {}, {"data": "int32"}),
    "_contrib_quantized_pooling": (
        {"kernel": "(2, 2)", "pool_type": "max"},
        {"data": (1, 2, 4, 4)},
        _RANGE,
        {"data": "uint8"},
    ),
    "_contrib_quantized_flatten": ({}, {"data": (1, 2, 4, 4)}, _RANGE, {"data": "uint8"}),
    "_contrib_quantized_concat": (
        {"num_args": "2", "dim": "1"},
        {"arg0": (1, 2, 4, 4), "arg1": (1, 3, 4, 4)},
        {"min0": _MIN, "max0": _MAX, "min1": _MIN, "max1": _MAX},
        {"arg0": "uint8", "arg1": "uint8"},
    ),
    "_contrib_dequantize": ({"out_type": "float32"}, {"data": (2, 3)}, _RANGE, {"data": "int8"}),
    "_contrib_box_nms": ({}, {"data": (1, 5, 6)}, {}, {}),
    "_contrib_box_iou": ({}, {"lhs": (5, 4), "rhs": (3, 4)}, {}, {}),
    "_contrib_box_encode": (
        {},
        {
            "samples": (1, 3),
            "matches": (1, 3),
            "anchors": (1, 3, 4),
            "refs": (1, 2, 4),
            "means": (4,),
            "stds": (4,),
        },
        {},
        {},
    ),
    "_contrib_box_decode": ({}, {"data": (1, 5, 4), "anchors": (1, 5, 4)}, {}, {}),
    "_contrib_ROIAlign": _ROIS,
    "ROIPooling": _ROIS,
    "_contrib_Proposal": (
        _PROPOSAL,
        {"cls_prob": (1, 24, 4, 4), "bbox_pred": (1, 48, 4, 4), "im_info": (1, 3)},
        {},
        {},
    ),
    "_contrib_MultiProposal": (
        _PROPOSAL,
        {"cls_prob": (2, 24, 4, 4), "bbox_pred": (2, 48, 4, 4), "im_info": (2, 3)},
        {},
        {},
    ),
    "_contrib_MultiBoxDetection": (
        {},
        {"cls_prob": (1, 3, 5), "loc_pred": (1, 20), "anchor": (1, 5, 4)},
        {},
        {},
    ),
    "SequenceReverse": _SEQUENCE,
    "SequenceLast": _SEQUENCE,
}


def _refused_one_node(op: str, tmp_path: pathlib.Path) -> None:
    """The FALLBACK graph of `op` loads with its declared dtypes, and with an undeclared dtype
    on a restricted data input fails to load, naming the node, the operator and the dtype."""
    attrs, shapes, params, base = FALLBACK[op]
    declared = {k: base.get(k, "float32") for k in shapes}
    one_node(tmp_path, op, attrs, shapes, dtypes=declared, params=params)
    target = _undeclared(op, len(shapes) + len(params))
    assert target is not None, f"{op}: every candidate dtype is declared"
    positions, dtype = target
    names = list(shapes)
    retyped = {names[i] for i in positions if i < len(names)}
    assert retyped, f"{op}: the restricted input {positions} is a parameter here"
    dtypes = {k: (dtype if k in retyped else declared[k]) for k in shapes}
    with pytest.raises(mxserve.MXServeError) as err:
        one_node(tmp_path, op, attrs, shapes, dtypes=dtypes, params=params)
    message = str(err.value)
    assert op in message and "'n'" in message and dtype in message, message


@pytest.mark.parametrize("op", REFUSING)
def test_undeclared_input_dtype_fails_at_load(op, tmp_path):
    if op in FALLBACK:
        _refused_one_node(op, tmp_path)
        return
    entry = _one_node_cases().get(op)
    assert entry is not None, f"no one-node oracle case runs {op}: add it to FALLBACK"
    case, folder = entry
    d = folder / case.name
    sym = json.loads((d / "symbol.json").read_text())
    nodes = sym["nodes"]
    node = next(n for n in nodes if n["op"] != "null")
    target = _undeclared(op, len(node["inputs"]))
    assert target is not None, (
        f"case {case.name} has no input whose dtypes the {op} kernel restricts: add {op} to "
        "FALLBACK"
    )
    positions, dtype = target
    retyped = {nodes[node["inputs"][i][0]]["name"] for i in positions}
    with np.load(d / "inputs.npz") as f:
        inputs = {k: f[k] for k in f.files}
    params = mxserve.nd.load(d / "model.params")
    params = {
        k: v.astype(dtype) if k.split(":", 1)[-1] in retyped else v for k, v in params.items()
    }
    mxserve.nd.save(tmp_path / "model.params", params)
    dtypes = {k: (dtype if k in retyped else v.dtype) for k, v in inputs.items()}
    with pytest.raises(mxserve.MXServeError) as err:
        mxserve.Predictor(
            d / "symbol.json",
            tmp_path / "model.params",
            input_shapes={k: v.shape for k, v in inputs.items()},
            dtypes=dtypes,
        )
    message = str(err.value)
    assert node["op"] in message and f"'{node['name']}'" in message and dtype in message, message


def test_undeclared_dtype_error_names_the_accepted_dtypes(tmp_path):
    with pytest.raises(mxserve.UnsupportedError) as err:
        one_node(
            tmp_path,
            "take",
            {"axis": "0"},
            {"a": (4, 3), "indices": (2,)},
            dtypes={"a": "float32", "indices": "uint16"},
        )
    message = str(err.value)
    assert "failed to plan take node 'n'" in message
    assert "input 1: dtype uint16 is not supported" in message
    assert "int64" in message and "float32" in message


def test_float32_only_kernel_refuses_int32_data(tmp_path):
    with pytest.raises(mxserve.UnsupportedError, match=r"LRN node 'n'.*int32.*reads float32$"):
        one_node(tmp_path, "LRN", {"nsize": "3"}, {"data": (1, 4, 3, 3)}, dtypes={"data": "int32"})


# ---- declared dtypes that run: numpy's answer ----

RNG = np.random.default_rng(0)


def _values(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    if dtype == "bool":
        return RNG.integers(0, 2, shape).astype(bool)
    if np.issubdtype(np.dtype(dtype), np.unsignedinteger):
        return RNG.integers(0, 9, shape).astype(dtype)
    return RNG.integers(-5, 6, shape).astype(dtype)


def _indices(shape: tuple[int, ...], dtype: str, high: int) -> np.ndarray:
    if dtype == "bool":
        return RNG.integers(0, 2, shape).astype(bool)
    return RNG.integers(0, high, shape).astype(dtype)


def _declared(op: str, input_index: int | None = None) -> list[str]:
    """The numpy-representable dtypes other than float32 the CPU kernel of `op` declares for its
    data inputs, or for input `input_index`."""
    dtypes = _runtime.kernel_dtypes(op)
    assert dtypes is not None, f"{op} has no CPU kernel"
    names = dtypes["data"] if input_index is None else _accepted(dtypes, input_index)
    return sorted(d for d in names if d not in ("float32", "bfloat16"))


def _copy_cases():
    # operator, attributes, numpy reference, input shapes
    return [
        ("transpose", {"axes": "(1, 0, 2)"}, lambda a: np.transpose(a, (1, 0, 2)), [(2, 3, 4)]),
        ("slice", {"begin": "(0, 1)", "end": "(2, 3)"}, lambda a: a[0:2, 1:3], [(3, 4)]),
        (
            "Concat",
            {"dim": "1", "num_args": "2"},
            lambda a, b: np.concatenate([a, b], 1),
            [(2, 3), (2, 2)],
        ),
        ("tile", {"reps": "(2, 1)"}, lambda a: np.tile(a, (2, 1)), [(2, 3)]),
        ("reverse", {"axis": "1"}, lambda a: a[:, ::-1], [(2, 5)]),
        ("Reshape", {"shape": "(3, 2)"}, lambda a: a.reshape(3, 2), [(2, 3)]),
        ("broadcast_equal", {}, lambda a, b: (a == b).astype(a.dtype), [(2, 3), (1, 3)]),
        ("broadcast_greater", {}, lambda a, b: (a > b).astype(a.dtype), [(2, 3), (2, 1)]),
    ]


def _copy_params():
    out = []
    for op, attrs, ref, shapes in _copy_cases():
        row = next(r for r in _runtime.operator_table() if r["name"] == op)
        names = _declared(op) if row["dtypes"] is not None else _runtime.all_dtypes()
        names = sorted(d for d in names if d not in ("float32", "bfloat16"))
        out += [pytest.param(op, attrs, ref, shapes, d, id=f"{op}-{d}") for d in names]
    return out


@pytest.mark.parametrize(("op", "attrs", "ref", "shapes", "dtype"), _copy_params())
def test_declared_data_dtype_runs(op, attrs, ref, shapes, dtype, tmp_path):
    inputs = {f"x{i}": _values(s, dtype) for i, s in enumerate(shapes)}
    (got,) = run_one_node(tmp_path, op, attrs, **inputs)
    want = ref(*inputs.values())
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", _declared("Cast"))
def test_cast_from_each_declared_dtype(dtype, tmp_path):
    x = _values((3, 4), dtype)
    (got,) = run_one_node(tmp_path, "Cast", {"dtype": "float32"}, x=x)
    np.testing.assert_array_equal(got, x.astype(np.float32))


@pytest.mark.parametrize("dtype", _declared("take", 1))
def test_take_index_dtypes(dtype, tmp_path):
    a = RNG.standard_normal((5, 3)).astype(np.float32)
    idx = _indices((2, 4), dtype, 5)
    (got,) = run_one_node(tmp_path, "take", {"axis": "0"}, a=a, indices=idx)
    np.testing.assert_array_equal(got, np.take(a, idx.astype(np.int64), axis=0, mode="clip"))


@pytest.mark.parametrize("dtype", _declared("take"))
def test_take_data_dtypes(dtype, tmp_path):
    a = _values((5, 3), dtype)
    idx = _indices((4,), "int32", 5)
    (got,) = run_one_node(tmp_path, "take", {"axis": "0"}, a=a, indices=idx)
    np.testing.assert_array_equal(got, a[idx])


@pytest.mark.parametrize("dtype", _declared("Embedding", 0))
def test_embedding_index_dtypes(dtype, tmp_path):
    weight = RNG.standard_normal((6, 4)).astype(np.float32)
    idx = _indices((2, 3), dtype, 6)
    (got,) = run_one_node(
        tmp_path, "Embedding", {"input_dim": "6", "output_dim": "4"}, data=idx, weight=weight
    )
    np.testing.assert_array_equal(got, weight[idx.astype(np.int64)])


@pytest.mark.parametrize("dtype", _declared("one_hot"))
def test_one_hot_index_dtypes(dtype, tmp_path):
    idx = _indices((5,), dtype, 4)
    (got,) = run_one_node(tmp_path, "one_hot", {"depth": "4"}, indices=idx)
    np.testing.assert_array_equal(got, np.eye(4, dtype=np.float32)[idx.astype(np.int64)])


@pytest.mark.parametrize("dtype", _declared("gather_nd", 1))
def test_gather_nd_index_dtypes(dtype, tmp_path):
    data = RNG.standard_normal((3, 4)).astype(np.float32)
    idx = np.stack([_indices((5,), dtype, 3), _indices((5,), dtype, 4)])
    if dtype == "bool":
        idx = idx.astype(bool)
    (got,) = run_one_node(tmp_path, "gather_nd", None, data=data, indices=idx)
    ii = idx.astype(np.int64)
    np.testing.assert_array_equal(got, data[ii[0], ii[1]])
