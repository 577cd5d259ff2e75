# SPDX-License-Identifier: Apache-2.0
"""fuse_depthwise: a 1x1 convolution and the 3x3 depthwise convolution after it run as one oneDNN
primitive (or, where oneDNN has none, as two primitives inside one kernel), with MXNet's numbers."""

import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest
from oracle.cases import case, check_case, run_cases
from oracle.models import exported_model

import mxserve


def _pw_dw(
    c_out,
    stride=1,
    pad=1,
    kernel=3,
    group=None,
    bias=True,
    act1="relu",
    act2="relu",
    bn=False,
):
    """1x1 convolution to c_out channels, then a kxk convolution with `group` groups (default:
    depthwise), each followed by an optional BatchNorm and activation ('relu', 'relu6' or None)."""
    group = c_out if group is None else group
    nb = "" if bias else ", no_bias=True"
    lines = [f"x = mx.sym.Convolution(data, kernel=(1, 1), num_filter={c_out}{nb}, name='pw')"]
    if bn:
        lines.append("x = mx.sym.BatchNorm(x, fix_gamma=False, eps=1e-5, name='pw_bn')")
    lines += _act(act1, "pw")
    lines.append(
        f"x = mx.sym.Convolution(x, kernel=({kernel}, {kernel}), stride=({stride}, {stride}), "
        f"pad=({pad}, {pad}), num_filter={c_out}, num_group={group}{nb}, name='dw')"
    )
    if bn:
        lines.append("x = mx.sym.BatchNorm(x, fix_gamma=False, eps=1e-5, name='dw_bn')")
    lines += _act(act2, "dw")
    return lines


def _act(act, prefix):
    if act == "relu":
        return [f"x = mx.sym.Activation(x, act_type='relu', name='{prefix}_relu')"]
    if act == "relu6":
        return [f"x = mx.sym.clip(x, 0, 6, name='{prefix}_relu6')"]
    return []


def _code(lines, tail="out = x"):
    return "\n".join(lines + [tail])


# A pointwise convolution after the block keeps the depthwise output an intermediate, so that it
# is planned channels-last (graph outputs are row-major) and the fused primitive runs.
TAIL = "out = mx.sym.Convolution(x, kernel=(1, 1), num_filter=8, name='tail')"

CASES = [
    case("s1_relu", _code(_pw_dw(16), TAIL), data=(1, 8, 28, 28), rtol=1e-4, atol=1e-4),
    case("s2_relu", _code(_pw_dw(16, stride=2), TAIL), data=(1, 8, 28, 28), rtol=1e-4, atol=1e-4),
    case(
        "s2_odd_size", _code(_pw_dw(12, stride=2), TAIL), data=(2, 6, 29, 29), rtol=1e-4, atol=1e-4
    ),
    # Batch 8, 64 channels at 56x56: oneDNN's jit_1x1 kernel with the depthwise post-op.
    case(
        "b8_s1_jit",
        _code(_pw_dw(64, bias=False, bn=True), TAIL),
        data=(8, 16, 56, 56),
        rtol=1e-4,
        atol=1e-4,
    ),
    case(
        "b8_s2_jit",
        _code(_pw_dw(64, stride=2, bias=False, bn=True), TAIL),
        data=(8, 16, 56, 56),
        rtol=1e-4,
        atol=1e-4,
    ),
    case(
        "relu6_bn_mobilenetv2",
        _code(
            _pw_dw(32, bias=False, act1="relu6", act2="relu6", bn=True),
            "x = mx.sym.Convolution(x, kernel=(1, 1), num_filter=8, no_bias=True, name='linear')\n"
            "out = mx.sym.BatchNorm(x, fix_gamma=False, name='linear_bn')",
        ),
        data=(1, 8, 28, 28),
        rtol=1e-4,
        atol=1e-4,
    ),
    case(
        "no_activations_no_bias",
        _code(_pw_dw(16, bias=False, act1=None, act2=None), TAIL),
        data=(1, 8, 28, 28),
        rtol=1e-4,
        atol=1e-4,
    ),
    case(
        "dw_is_graph_output",
        _code(_pw_dw(16, act2=None)),
        data=(1, 8, 28, 28),
        rtol=1e-4,
        atol=1e-4,
    ),
    case(
        "dw_relu_is_graph_output",
        _code(_pw_dw(16, stride=2, bn=True)),
        data=(8, 8, 28, 28),
        rtol=1e-4,
        atol=1e-4,
    ),
    # Not fused: the 1x1 output is read twice; stride 3; no padding; grouped but not depthwise.
    case(
        "pw_read_twice",
        "p = mx.sym.Convolution(data, kernel=(1, 1), num_filter=16, name='pw')\n"
        "p = mx.sym.Activation(p, act_type='relu', name='pw_relu')\n"
        "x = mx.sym.Convolution(p, kernel=(3, 3), pad=(1, 1), num_filter=16, num_group=16,"
        " name='dw')\n"
        "x = mx.sym.Activation(x, act_type='relu', name='dw_relu')\n"
        "out = mx.sym.elemwise_add(x, p, name='add')",
        data=(1, 16, 14, 14),
        rtol=1e-4,
        atol=1e-4,
    ),
    case("stride3", _code(_pw_dw(16, stride=3), TAIL), data=(1, 8, 28, 28), rtol=1e-4, atol=1e-4),
    case("pad0", _code(_pw_dw(16, pad=0), TAIL), data=(1, 8, 28, 28), rtol=1e-4, atol=1e-4),
    case("grouped", _code(_pw_dw(16, group=4), TAIL), data=(1, 8, 28, 28), rtol=1e-4, atol=1e-4),
]

FUSED = {
    "s1_relu",
    "s2_relu",
    "s2_odd_size",
    "b8_s1_jit",
    "b8_s2_jit",
    "relu6_bn_mobilenetv2",
    "no_activations_no_bias",
    "dw_is_graph_output",
    "dw_relu_is_graph_output",
}


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_matches_mxnet(c):
    check_case(c, run_cases(CASES))


def _load(name, **kw):
    d = run_cases(CASES) / name
    with np.load(d / "inputs.npz") as f:
        x = f["data"]
    with np.load(d / "outputs.npz") as f:
        want = f["arr_0"]
    p = mxserve.Predictor(
        d / "symbol.json", d / "model.params", input_shapes={"data": x.shape}, **kw
    )
    return p, x, want


def _convolutions(info):
    # Plain and fused convolutions (the passes turn a Convolution into an _sg_mkldnn_conv).
    return info["ops"].get("Convolution", 0) + info["ops"].get("_sg_mkldnn_conv", 0)


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_fuses_exactly_the_matching_pairs(c, monkeypatch):
    fused, _, _ = _load(c.name)
    monkeypatch.setenv("MXSERVE_FUSE_DEPTHWISE", "0")
    plain, _, _ = _load(c.name)
    expect = 1 if c.name in FUSED else 0
    assert _convolutions(plain.info()) - _convolutions(fused.info()) == expect
    combined = [impl for _, impl in fused.info()["kernels"] if "+dw" in impl or " then " in impl]
    assert len(combined) == expect


def _has_avx512_without_amx() -> bool:
    cpuinfo = pathlib.Path("/proc/cpuinfo")
    text = cpuinfo.read_text() if cpuinfo.exists() else ""
    return " avx512f" in text and " amx_tile" not in text


@pytest.mark.skipif(
    not _has_avx512_without_amx(),
    reason="oneDNN's jit 1x1 kernel is its choice on AVX-512 CPUs without AMX; with AMX it picks "
    "brgconv, which has no fused depthwise stage",
)
def test_jit_kernel_runs_the_fused_primitive():
    # At batch 8 and 56x56, oneDNN answers with its jit 1x1 kernel carrying the depthwise stage
    # (not ref_fused_convolution, which just runs two primitives).
    for name in ("b8_s1_jit", "b8_s2_jit"):
        p, x, want = _load(name)
        kernels = dict(p.info()["kernels"])
        assert kernels["dw_relu"].startswith("jit_1x1") and "+dw" in kernels["dw_relu"], kernels
        np.testing.assert_allclose(p(data=x)[0], want, rtol=1e-4, atol=1e-4)


def test_row_major_output_falls_back_to_two_primitives():
    # A graph output is row-major; the fused primitive writes channels-last, so the kernel runs
    # the two convolutions itself, the intermediate in its scratchpad.
    p, x, want = _load("dw_relu_is_graph_output")
    kernels = dict(p.info()["kernels"])
    assert " then " in kernels["dw_relu"], kernels
    np.testing.assert_allclose(p(data=x)[0], want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["s2_relu", "b8_s2_jit", "relu6_bn_mobilenetv2"])
def test_row_major_layout_gives_the_same_results(name, monkeypatch):
    fast, x, _ = _load(name)
    monkeypatch.setenv("MXSERVE_LAYOUT", "rowmajor")
    plain, _, _ = _load(name)
    assert any(" then " in impl for _, impl in plain.info()["kernels"])
    np.testing.assert_allclose(fast(data=x)[0], plain(data=x)[0], rtol=1e-5, atol=1e-5)


def test_requested_intermediate_is_not_fused_away():
    p, x, want = _load("s1_relu", outputs=["pw_relu_output", "tail_output"])
    # Three convolutions, none merged (the two with a relu are fused convolutions).
    assert p.info()["ops"] == {"Convolution": 1, "_sg_mkldnn_conv": 2}
    assert not any("+dw" in impl or " then " in impl for _, impl in p.info()["kernels"])
    np.testing.assert_allclose(p(data=x)[1], want, rtol=1e-4, atol=1e-4)


def test_fused_weights_are_shared_by_reshape():
    p, _, _ = _load("b8_s1_jit")
    before = p.info()["prepacked_weight_bytes"]
    p2 = p.reshape({"data": (8, 16, 56, 56)})
    assert p2.info()["prepacked_weight_bytes"] == before


def _bf16_supported() -> bool:
    try:
        _load("s1_relu", dtype="bfloat16")
        return True
    except mxserve.UnsupportedError:
        return False


@pytest.mark.parametrize("name", ["b8_s2_jit", "relu6_bn_mobilenetv2", "dw_relu_is_graph_output"])
def test_bfloat16_close_to_mxnet(name):
    if not _bf16_supported():
        pytest.skip("this CPU has neither AVX512-BF16 nor AMX")
    p, x, want = _load(name, dtype="bfloat16")
    kernels = [impl for _, impl in p.info()["kernels"] if "+dw" in impl or " then " in impl]
    # bfloat16 kernels name their ISA: avx512_core_bf16, or avx512_core_amx (AMX is bf16/int8 only).
    assert len(kernels) == 1 and ("bf16" in kernels[0] or "amx" in kernels[0]), kernels
    (got,) = p(data=x)
    assert got.dtype == np.float32
    # The tolerance of tests/test_bfloat16.py: max error relative to the largest output.
    rel = np.abs(got - want).max() / np.abs(want).max()
    assert rel < 3e-2, f"bfloat16 max relative error {rel}"


@pytest.mark.parametrize(
    "name, before, after", [("mobilenet0.25", 27, 15), ("mobilenetv2_0.25", 54, 37)]
)
def test_mobilenet_blocks_fuse(name, before, after, tmp_path):
    # Every 1x1 -> 3x3 depthwise pair of the network is fused: MXSERVE_DEBUG_PASSES=1 prints
    # the operator counts before and after the passes.
    prefix = exported_model("1.9.1", name) / "model"
    code = (
        "import mxserve\n"
        f"mxserve.Predictor.load({str(prefix)!r}, 0, input_shapes={{'data': (1, 3, 224, 224)}})\n"
    )
    env = dict(os.environ, MXSERVE_DEBUG_PASSES="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    # Plain and fused convolutions (the passes turn a Convolution into an _sg_mkldnn_conv).
    counts = [
        (when, sum(int(n) for n in re.findall(r" (?:Convolution|_sg_mkldnn_conv)=(\d+)", line)))
        for when, line in re.findall(r"graph (before|after) passes:(.*)", proc.stderr)
    ]
    assert counts == [("before", before), ("after", after)], proc.stderr
