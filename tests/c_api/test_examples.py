# SPDX-License-Identifier: Apache-2.0
"""predict_api/examples: the C and C++ image classification programs, compiled with the plain
system compiler against the installed header and library, run on a raw RGB image with a mean
image loaded through MXNDListCreate, and checked against numpy."""

from __future__ import annotations

import pathlib

import numpy as np

from c_api import _capi

EXAMPLES = _capi.REPO / "predict_api" / "examples"
W, H = "6", "8"


def _parse(stdout: str) -> list[list[str]]:
    return [line.split() for line in stdout.strip().splitlines()]


def test_c_example(tmp_path: pathlib.Path) -> None:
    (prob,) = _capi.write_classifier(tmp_path, 1)
    exe = tmp_path / "image_classification"
    _capi.build([EXAMPLES / "image_classification.c"], exe, flags=["-pedantic"])
    proc = _capi.run(
        [
            str(exe),
            str(tmp_path / "model-symbol.json"),
            str(tmp_path / "model-0000.params"),
            str(tmp_path / "mean.nd"),
            str(tmp_path / "img0.rgb"),
            W,
            H,
            "5",
        ]
    )
    assert proc.returncode == 0, proc.stderr
    rows = _parse(proc.stdout)
    assert [int(r[1]) for r in rows] == list(np.argsort(-prob)[:5])
    np.testing.assert_allclose(
        [float(r[2]) for r in rows], np.sort(prob)[::-1][:5], rtol=1e-4, atol=1e-6
    )


def test_c_example_rejects_wrong_image_size(tmp_path: pathlib.Path) -> None:
    _capi.write_classifier(tmp_path, 1)
    exe = tmp_path / "image_classification"
    _capi.build([EXAMPLES / "image_classification.c"], exe)
    proc = _capi.run(
        [
            str(exe),
            str(tmp_path / "model-symbol.json"),
            str(tmp_path / "model-0000.params"),
            str(tmp_path / "mean.nd"),
            str(tmp_path / "img0.rgb"),
            "7",
            H,
        ]
    )
    assert proc.returncode == 1
    assert "expected 7 x 8 x 3" in proc.stderr


def test_cpp_example_on_threads(tmp_path: pathlib.Path) -> None:
    probs = _capi.write_classifier(tmp_path, 3)
    exe = tmp_path / "image_classification_cpp"
    _capi.build([EXAMPLES / "image_classification.cc"], exe, lang="c++", flags=["-pthread"])
    images = [str(tmp_path / f"img{i}.rgb") for i in range(3)]
    proc = _capi.run(
        [
            str(exe),
            str(tmp_path / "model-symbol.json"),
            str(tmp_path / "model-0000.params"),
            str(tmp_path / "mean.nd"),
            W,
            H,
            *images,
        ]
    )
    assert proc.returncode == 0, proc.stderr
    rows = _parse(proc.stdout)
    assert len(rows) == 9
    for i, prob in enumerate(probs):
        mine = [r for r in rows if int(r[0]) == i]
        assert [int(r[2]) for r in mine] == list(np.argsort(-prob)[:3])
        np.testing.assert_allclose(
            [float(r[3]) for r in mine], np.sort(prob)[::-1][:3], rtol=1e-4, atol=1e-6
        )


def test_cpp_example_reports_bad_model(tmp_path: pathlib.Path) -> None:
    _capi.write_classifier(tmp_path, 1)
    (tmp_path / "model-symbol.json").write_text('{"nodes": []')
    exe = tmp_path / "image_classification_cpp"
    _capi.build([EXAMPLES / "image_classification.cc"], exe, lang="c++", flags=["-pthread"])
    proc = _capi.run(
        [
            str(exe),
            str(tmp_path / "model-symbol.json"),
            str(tmp_path / "model-0000.params"),
            str(tmp_path / "mean.nd"),
            W,
            H,
            str(tmp_path / "img0.rgb"),
        ]
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: MXPredCreateMultiThread: symbol JSON is malformed")
