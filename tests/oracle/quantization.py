# SPDX-License-Identifier: Apache-2.0
"""Model-zoo networks quantized by MXNet 1.9.1 itself (tests/oracle/mx_quantize.py with the
recipes in tests/oracle/recipes/quantization.py), cached by the hash of those scripts."""

from __future__ import annotations

import hashlib
import os
import pathlib
import shutil

from .envs import CACHE, publish, run_in_oracle

HERE = pathlib.Path(__file__).resolve().parent
# Entropy calibration needs scipy.stats, so it runs in an environment of its own.
ENTROPY_EXTRAS = ("scipy<1.11",)
MODELS = ("resnet18_v1", "resnet50_v1", "mobilenet1.0", "mobilenetv2_1.0", "inceptionv3")
FLOWS = ("gluon", "symbolic")
CALIB_MODES = ("naive", "entropy")


def quantized_model(model: str, flow: str, calib_mode: str) -> pathlib.Path:
    """Folder with model-symbol.json, model-0000.params, io.npz (x, y: MXNet's int8 logits,
    y_fp32) and meta.json of `model` quantized by MXNet's `flow` with `calib_mode`."""
    script = HERE / "mx_quantize.py"
    recipes = HERE / "recipes" / "quantization.py"
    digest = hashlib.sha256(script.read_bytes() + recipes.read_bytes()).hexdigest()[:12]
    out = CACHE / "quantization" / digest / f"{model}-{flow}-{calib_mode}"
    if not (out / "meta.json").exists():
        tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        extras = ENTROPY_EXTRAS if calib_mode == "entropy" else ()
        run_in_oracle(
            "1.9.1", script, str(tmp), model, flow, calib_mode, timeout=3600, extras=extras
        )
        publish(tmp, out, "meta.json")
    return out
