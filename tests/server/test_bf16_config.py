# SPDX-License-Identifier: Apache-2.0
"""``parameters.dtype: bfloat16`` in a model's config serves it in bf16 mode (fp32 in and out);
an unknown dtype leaves only that model unavailable, with the reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from server._serving import Server, make_repo


def test_bfloat16_model_config(
    tmp_path: Path,
    serve: Callable[..., Server],
    digits: tuple[np.ndarray, np.ndarray],
    reference: Callable[[np.ndarray], np.ndarray],
) -> None:
    store = make_repo(
        tmp_path / "store",
        {
            "bf16": {"max_batch_size": 16, "parameters": {"dtype": "bfloat16"}},
            "fp32": {"max_batch_size": 16},
            "bad": {"max_batch_size": 16, "parameters": {"dtype": "float8"}},
        },
    )
    s = serve(store)
    x, y = digits[0][:16], digits[1][:16]

    def infer(model: str) -> Any:
        body = {
            "inputs": [
                {
                    "name": "data",
                    "shape": list(x.shape),
                    "datatype": "FP32",
                    "data": x.ravel().tolist(),
                }
            ]
        }
        status, out = s.json("POST", f"/v2/models/{model}/infer", body)
        assert status == 200, out
        assert out["outputs"][0]["datatype"] == "FP32"
        return np.array(out["outputs"][0]["data"], np.float32).reshape(16, 10)

    ref = reference(x)
    fp32, bf16 = infer("fp32"), infer("bf16")
    np.testing.assert_allclose(fp32, ref, rtol=1e-5, atol=1e-5)
    assert not np.array_equal(bf16, fp32)  # really computed in bf16
    scale = np.abs(ref).max()
    assert np.abs(bf16 - ref).max() / scale < 3e-2
    assert (bf16.argmax(1) == y).mean() >= 0.9
    _, index = s.json("POST", "/v2/repository/index", {})
    bad = next(r for r in index if r["name"] == "bad")
    assert bad["state"] == "UNAVAILABLE" and "parameters.dtype" in bad["reason"]
