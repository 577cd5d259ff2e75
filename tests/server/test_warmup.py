# SPDX-License-Identifier: Apache-2.0
"""``model_warmup``: samples run at load (the executions show in the model's predictor cache);
a sample that does not fit the model fails that model's load with the sample's name."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError

from mxserve.server.config import ModelConfig, Settings
from mxserve.server.lifecycle import READY, UNAVAILABLE, ModelRepository
from server._serving import make_repo


def warmup(dims: list[int], batch: int = 4, **extra: object) -> dict[str, object]:
    return {
        "name": "w",
        "batch_size": batch,
        "count": 2,
        "inputs": {"data": {"data_type": "TYPE_FP32", "dims": dims, **extra}},
    }


def test_warmup_runs_at_load_and_bad_samples_fail_the_load(tmp_path: Path) -> None:
    store = make_repo(
        tmp_path / "store",
        {
            "good": {"max_batch_size": 8, "model_warmup": [warmup([64], random_data=True)]},
            "zeros": {"max_batch_size": 8, "model_warmup": [warmup([64], 2, zero_data=True)]},
            "bad": {"max_batch_size": 8, "model_warmup": [warmup([63], random_data=True)]},
        },
    )
    repo = ModelRepository(Settings(model_store=store))
    repo.scan()

    async def load() -> None:
        await repo.load_at_start()
        await repo.close()

    asyncio.run(load())
    good = repo.models["good"].versions[1]
    assert repo.models["good"].state == READY
    assert (("data", (4, 64)),) in good._cache  # the warm-up's batch of 4 was bound and run
    assert (("data", (2, 64)),) in repo.models["zeros"].versions[1]._cache
    bad = repo.models["bad"]
    assert bad.state == UNAVAILABLE
    assert "model_warmup 'w' failed" in bad.reason and "(4, 63)" in bad.reason


@pytest.mark.parametrize(
    "spec, text",
    [
        ({"dims": [64]}, "exactly one of zero_data and random_data"),
        ({"dims": [64], "zero_data": True, "random_data": True}, "exactly one"),
        ({"dims": [0], "zero_data": True}, "must be positive"),
        ({"dims": [64], "input_data_file": "x.bin"}, "input_data_file is not supported"),
    ],
)
def test_warmup_config_is_validated(spec: dict[str, object], text: str) -> None:
    with pytest.raises(ValidationError, match=text):
        ModelConfig(model_warmup=[{"inputs": {"data": spec}}])  # type: ignore[list-item]
