# SPDX-License-Identifier: Apache-2.0
"""mxserve's post-training quantization against MXNet 1.9.1's own (quantize_net, CPU/MKLDNN):
the written graph node for node, the params, the calibrated ranges, MXNet running our graph,
the entropy threshold search, the collectors, the CLI's errors and its progress bar."""

from __future__ import annotations

import io
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from oracle.envs import GLUON, run_in_oracle
from oracle.models import exported_model
from quantization._compare import file_differences

import mxserve
from mxserve import nd
from mxserve.errors import InvalidArgumentError, NotFoundError
from mxserve.quantization.collect import HistogramCollector, MinMaxCollector
from mxserve.quantization.entropy import optimal_threshold
from mxserve.quantization.params import quantize_int8

HERE = pathlib.Path(__file__).resolve().parent
ORACLE = HERE / "mx_quantize.py"
# MXNet's entropy calibration imports scipy.stats, which the GluonCV environment (MXNet 1.9.1)
# has and the plain one does not.
EXTRAS = GLUON
FIVE = ["resnet50_v1", "resnet18_v1", "mobilenet1.0", "mobilenetv2_1.0", "inceptionv3"]


def _calib(size: int, n: int = 16, n_test: int = 8) -> dict[str, np.ndarray]:
    rng = np.random.RandomState(3)
    return {
        "data": rng.uniform(-1, 1, (n, 3, size, size)).astype(np.float32),
        "test": rng.uniform(-1, 1, (n_test, 3, size, size)).astype(np.float32),
    }


def _against_mxnet(
    name: str,
    mode: str,
    dtype: str,
    tmp_path: pathlib.Path,
    exclude: tuple[str, ...] = (),
    run: bool = True,
) -> None:
    model = exported_model("1.9.1", name)
    size = 299 if name.startswith("inception") else 224
    arrays = _calib(size)
    calib = tmp_path / "calib.npz"
    np.savez(calib, **arrays)
    ours = tmp_path / "ours" / "model"
    mxserve.quantize(
        model / "model",
        {"data": arrays["data"]},
        mode=mode,
        quantized_dtype=dtype,
        batch_size=8,
        out=ours,
        progress=False,
        exclude_layers=exclude,
    )
    out = tmp_path / "mx"
    run_in_oracle(
        "1.9.1",
        ORACLE,
        "quantize",
        str(model),
        str(calib),
        mode,
        dtype,
        "8",
        str(out),
        str(ours),
        ",".join(exclude),
        "1" if run else "0",
        extras=EXTRAS,
    )
    # The KL minimum is flat: the float32 differences between the two runtimes' activations can
    # move an entropy threshold by several histogram bins, a min/max hardly at all.
    rtol = 0.05 if mode == "naive" else 0.1
    diffs = file_differences(
        pathlib.Path(f"{ours}-symbol.json"), out / "mxnet-symbol.json", rtol=rtol, atol=1e-3
    )
    assert diffs == [], "\n".join(diffs[:20])
    if not run:
        return  # MXNet's export without a forward pass writes no parameters
    ours_params = nd.load(f"{ours}-0000.params")
    theirs = nd.load(out / "mxnet-0000.params")
    assert sorted(ours_params) == sorted(theirs)
    for k, v in theirs.items():
        assert ours_params[k].dtype == v.dtype, k
        if v.dtype == np.int8:
            assert np.abs(ours_params[k].astype(int) - v.astype(int)).max() <= 1, k
        else:
            np.testing.assert_allclose(ours_params[k], v, rtol=1e-6, atol=1e-7, err_msg=k)
    res = np.load(out / "outputs.npz")
    mine, ref = res["ours"], res["mxnet"]
    scale = np.abs(ref).max()
    assert np.abs(mine - ref).max() <= 0.05 * scale
    assert (mine.argmax(1) == ref.argmax(1)).mean() >= 0.75
    # mxserve's runtime on our graph gives what MXNet gives on it.
    test = arrays["test"]
    p = mxserve.Predictor.load(ours, input_shapes={"data": test.shape})
    (ran,) = p(data=test)
    assert np.abs(ran - mine).max() <= 1e-2 * np.abs(mine).max()
    assert (ran.argmax(1) == mine.argmax(1)).mean() >= 0.99
    if exclude:
        # An excluded convolution stays a float32 _sg_mkldnn_conv in MXNet's own graph too; the
        # runtime runs that graph as MXNet does.
        sym = json.loads((out / "mxnet-symbol.json").read_text())
        floats = [
            n["name"]
            for n in sym["nodes"]
            if n["op"] == "_sg_mkldnn_conv"
            and n.get("attrs", {}).get("quantized", "false").lower() != "true"
        ]
        assert len(floats) == len(exclude), floats
        theirs_p = mxserve.Predictor.load(out / "mxnet", input_shapes={"data": test.shape})
        (got,) = theirs_p(data=test)
        assert np.abs(got - ref).max() <= 1e-2 * scale
        assert (got.argmax(1) == ref.argmax(1)).mean() >= 0.99
        return
    if mode == "naive" and not exclude and dtype == "auto":
        # Predictor(dtype="int8") quantizes the same way (naive ranges do not depend on the
        # batch size) and runs the same graph.
        p8 = mxserve.Predictor.load(
            model / "model",
            input_shapes={"data": test.shape},
            dtype="int8",
            calibration={"data": arrays["data"]},
        )
        np.testing.assert_array_equal(p8(data=test)[0], ran)


@pytest.mark.parametrize("mode", ["naive", "entropy"])
def test_mobilenet_graph_matches_mxnet_quantize_net(mode: str, tmp_path: pathlib.Path) -> None:
    _against_mxnet("mobilenet0.25", mode, "auto", tmp_path)


def test_excluded_layer_matches_mxnet(tmp_path: pathlib.Path) -> None:
    # The first convolution stays float32: the next one gets a quantize_v2 of its output.
    _against_mxnet("mobilenet0.25", "naive", "auto", tmp_path, ("mobilenet0_conv0_fwd",))


def test_excluded_resnet_layers_match_mxnet(tmp_path: pathlib.Path) -> None:
    # resnet18_v1's first convolution (BatchNorm, relu) and the second of its first residual
    # block (BatchNorm, residual sum, post-sum relu) stay float32 _sg_mkldnn_conv nodes.
    _against_mxnet(
        "resnet18_v1",
        "naive",
        "auto",
        tmp_path,
        ("resnetv10_conv0_fwd", "resnetv10_stage1_conv1_fwd"),
    )


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["naive", "entropy"])
@pytest.mark.parametrize("name", FIVE)
def test_zoo_graph_matches_mxnet_quantize_net(name: str, mode: str, tmp_path: pathlib.Path) -> None:
    _against_mxnet(name, mode, "auto", tmp_path)


@pytest.mark.slow
def test_quantized_dtype_int8_matches_mxnet(tmp_path: pathlib.Path) -> None:
    _against_mxnet("resnet18_v1", "naive", "int8", tmp_path)


@pytest.mark.slow
def test_quantized_dtype_uint8_graph_matches_mxnet(tmp_path: pathlib.Path) -> None:
    # MXNet writes this graph but cannot run it (its uint8 convolution rejects the negative
    # input), so only the graph and params are compared.
    _against_mxnet("resnet18_v1", "naive", "uint8", tmp_path, run=False)


def test_entropy_threshold_matches_mxnet(tmp_path: pathlib.Path) -> None:
    rng = np.random.RandomState(5)
    samples = [
        (np.maximum(rng.normal(0, 1, 20000), 0), "auto"),  # relu output: 511 levels
        (rng.normal(0, 1, 20000), "int8"),
        (rng.laplace(0, 0.3, 20000), "auto"),
        (np.concatenate([rng.normal(-2, 0.3, 5000), rng.normal(3, 0.5, 5000)]), "int8"),
    ]
    hists = {}
    for k, (x, _) in enumerate(samples):
        th = np.abs(x).max()
        h, e = np.histogram(x.astype(np.float32), bins=8001, range=(-th, th))
        hists.update({f"hist_{k}": h, f"edges_{k}": e, f"min_{k}": x.min(), f"max_{k}": x.max()})
    out = {}
    for dtype in ("auto", "int8"):
        path = tmp_path / f"hist_{dtype}.npz"
        np.savez(path, dtype=np.array(dtype), **hists)
        run_in_oracle(
            "1.9.1", ORACLE, "entropy", str(path), str(tmp_path / f"th_{dtype}.npz"), extras=EXTRAS
        )
        out[dtype] = np.load(tmp_path / f"th_{dtype}.npz")
    for k, (x, dtype) in enumerate(samples):
        unsigned = x.min() >= 0 and dtype in ("auto", "uint8")
        th, div = optimal_threshold(
            hists[f"hist_{k}"], hists[f"edges_{k}"], 511 if unsigned else 255
        )
        ref = out[dtype]
        step = float(hists[f"edges_{k}"][1] - hists[f"edges_{k}"][0])
        assert abs(th - float(ref[f"th_{k}"][0])) <= step, k
        np.testing.assert_allclose(div, float(ref[f"div_{k}"][0]), rtol=1e-5)


def test_entropy_rejects_even_bins() -> None:
    with pytest.raises(InvalidArgumentError, match="odd number of bins"):
        optimal_threshold(np.ones(8000), np.linspace(-1, 1, 8001))


def test_min_max_collector_matches_numpy() -> None:
    rng = np.random.RandomState(1)
    batches = [rng.normal(0, s, (4, 7)).astype(np.float32) for s in (1.0, 3.0, 0.5)]
    c = MinMaxCollector()
    for b in batches:
        c.collect("t", b)
    allx = np.concatenate(batches)
    assert c.thresholds("auto")["t"] == (float(allx.min()), float(allx.max()))


def test_histogram_collector_widens_like_one_histogram() -> None:
    rng = np.random.RandomState(2)
    batches = [rng.normal(0, s, 5000).astype(np.float32) for s in (1.0, 2.5, 0.5)]
    c = HistogramCollector()
    for b in batches:
        c.collect("t", b)
    h = c.hists["t"]
    allx = np.concatenate(batches)
    assert h.hist.sum() == allx.size
    assert len(h.hist) % 2 == 1 and h.th >= np.abs(allx).max()
    ref, _ = np.histogram(allx, bins=len(h.hist), range=(-h.th, h.th))
    assert np.abs(ref - h.hist).sum() <= 0.002 * allx.size  # only values on bin edges move
    assert (h.min_val, h.max_val) == (float(allx.min()), float(allx.max()))


def test_int8_weights_follow_mxnet_rounding() -> None:
    x = np.array([-2.0, -1.0, -0.004, 0.0, 0.5, 1.0, 2.0], np.float32)
    q, lo, hi = quantize_int8(x)
    assert (lo, hi) == (-2.0, 2.0)
    expected = [np.sign(v) * min(np.floor(abs(v) * 127 / 2 + 0.5), 127) for v in x]
    assert q.tolist() == [int(v) for v in expected]
    zero, lo, hi = quantize_int8(np.zeros(3, np.float32))
    assert zero.tolist() == [127, 127, 127] and hi == 0.0  # MXNet's 0/0 arithmetic


def _small_model() -> pathlib.Path:
    return exported_model("1.9.1", "mobilenet0.25") / "model"


def test_quantize_rejects_wrong_calibration_names(tmp_path: pathlib.Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"missing input\(s\) \['data'\].*'x'"):
        mxserve.quantize(_small_model(), {"x": np.zeros((2, 3, 32, 32), np.float32)})


def test_quantize_rejects_wrong_calibration_shape() -> None:
    with pytest.raises(InvalidArgumentError, match=r"'data' \(5, 32, 32\).*Convolution"):
        mxserve.quantize(
            _small_model(), {"data": np.zeros((2, 5, 32, 32), np.float32)}, progress=False
        )


def test_quantize_rejects_integer_calibration() -> None:
    with pytest.raises(InvalidArgumentError, match="'data' has dtype int32"):
        mxserve.quantize(_small_model(), {"data": np.zeros((2, 3, 32, 32), np.int32)})


def test_quantize_rejects_unknown_mode_and_dtype() -> None:
    x = {"data": np.zeros((2, 3, 32, 32), np.float32)}
    with pytest.raises(InvalidArgumentError, match="mode must be one of"):
        mxserve.quantize(_small_model(), x, mode="kl")
    with pytest.raises(InvalidArgumentError, match="quantized_dtype must be one of"):
        mxserve.quantize(_small_model(), x, quantized_dtype="int4")


def test_quantize_rejects_missing_calibration_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        mxserve.quantize(_small_model(), str(tmp_path / "nope.npz"))


def test_progress_bar_counts_calibration_batches() -> None:
    stream = io.StringIO()
    x = np.random.RandomState(0).uniform(-1, 1, (5, 3, 32, 32)).astype(np.float32)
    mxserve.quantize(_small_model(), {"data": x}, batch_size=2, progress=stream)
    lines = stream.getvalue().splitlines()
    assert [ln.split("] ")[1] for ln in lines] == ["1/3 batches", "2/3 batches", "3/3 batches"]
    assert lines[-1].startswith("calibrating [" + "#" * 30 + "]")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mxserve", "quantize", *args],
        capture_output=True,
        text=True,
        cwd=HERE.parent.parent.parent,
    )


def test_cli_writes_quantized_model(tmp_path: pathlib.Path) -> None:
    calib = tmp_path / "c.npz"
    np.savez(calib, data=np.random.RandomState(0).uniform(-1, 1, (4, 3, 32, 32)).astype("f4"))
    r = _cli(
        str(_small_model()),
        "--calib",
        str(calib),
        "--out",
        str(tmp_path / "q"),
        "--batch-size",
        "2",
        "--mode",
        "entropy",
    )
    assert r.returncode == 0, r.stderr
    assert "2/2 batches" in r.stderr
    text = (tmp_path / "q-symbol.json").read_text()
    assert "_contrib_quantize_v2" in text and '"quantized": "true"' in text


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        (
            {"x": np.zeros((2, 3, 32, 32), "f4")},
            "missing input(s) ['data']; unknown array(s) ['x']",
        ),
        ({"data": np.zeros((2, 3, 32, 32), "i4")}, "array 'data' has dtype int32"),
        ({"data": np.zeros((2, 4, 32, 32), "f4")}, "per-example shapes 'data' (4, 32, 32)"),
    ],
)
def test_cli_rejects_bad_calibration_file(
    arrays: dict[str, np.ndarray], message: str, tmp_path: pathlib.Path
) -> None:
    calib = tmp_path / "c.npz"
    np.savez(calib, **arrays)
    r = _cli(str(_small_model()), "--calib", str(calib), "--out", str(tmp_path / "q"), "--quiet")
    assert r.returncode == 1
    assert message in r.stderr
    assert not (tmp_path / "q-symbol.json").exists()


def test_cli_rejects_unknown_mode(tmp_path: pathlib.Path) -> None:
    r = _cli(str(_small_model()), "--calib", "x.npz", "--mode", "kl")
    assert r.returncode == 2 and "invalid choice: 'kl'" in r.stderr


def test_predictor_int8_needs_calibration() -> None:
    with pytest.raises(InvalidArgumentError, match="needs calibration="):
        mxserve.Predictor.load(_small_model(), input_shapes={"data": (1, 3, 32, 32)}, dtype="int8")


def test_server_config_int8_needs_calibration() -> None:
    from pydantic import ValidationError

    from mxserve.server.config import ModelConfig

    with pytest.raises(ValidationError, match="needs parameters.calibration"):
        ModelConfig(parameters={"dtype": "int8"})
    with pytest.raises(ValidationError, match="calibration_mode must be"):
        ModelConfig(parameters={"dtype": "int8", "calibration": "c.npz", "calibration_mode": "x"})
    assert ModelConfig(parameters={"dtype": "int8", "calibration": "c.npz"}).compute_dtype == "int8"


def test_server_int8_model_quantizes_with_the_model_directory_calibration(
    tmp_path: pathlib.Path,
) -> None:
    from mxserve.quantization.serving import int8_model

    version = tmp_path / "m" / "1"
    version.mkdir(parents=True)
    symbol = (_small_model().parent / "model-symbol.json").read_bytes()
    params = (_small_model().parent / "model-0000.params").read_bytes()
    np.savez(tmp_path / "m" / "calib.npz", data=np.zeros((2, 3, 32, 32), "f4"))
    path = version / "model-symbol.json"
    assert int8_model({"dtype": "float32"}, path, symbol, params) == (symbol, params)
    qsym, qparams = int8_model({"dtype": "int8", "calibration": "calib.npz"}, path, symbol, params)
    assert b'"_contrib_quantize_v2"' in qsym and b'"quantized": "true"' in qsym
    assert nd.load(qparams)["arg:mobilenet0_dense0_weight_quantize"].dtype == np.int8
    with pytest.raises(NotFoundError, match="calibration file 'other.npz' not found"):
        int8_model({"dtype": "int8", "calibration": "other.npz"}, path, symbol, params)
