# SPDX-License-Identifier: Apache-2.0
"""Model config parsing: Triton names, MMS aliases, version policy, rejections."""

from __future__ import annotations

from pathlib import Path

import pytest

from mxserve.errors import InvalidArgumentError
from mxserve.server.config import ModelConfig, VersionPolicy, parse_model_config, read_model_config


def test_mms_aliases_map_to_triton_fields() -> None:
    cfg = parse_model_config(
        {"batchSize": 8, "maxBatchDelay": 5, "jobQueueSize": 100, "minWorkers": 2}, "x"
    )
    assert cfg.max_batch_size == 8
    assert cfg.dynamic_batching is not None
    assert cfg.dynamic_batching.max_queue_delay_microseconds == 5000
    assert cfg.dynamic_batching.default_queue_policy.max_queue_size == 100
    assert cfg.instance_count == 2


def test_config_rejects_unknown_fields_and_types() -> None:
    with pytest.raises(InvalidArgumentError, match="max_batch_sise"):
        parse_model_config({"max_batch_sise": 4}, "cfg.json")
    with pytest.raises(InvalidArgumentError, match="TYPE_FLOAT"):
        parse_model_config(
            {"input": [{"name": "a", "data_type": "TYPE_FLOAT", "dims": [1]}]}, "cfg.json"
        )
    with pytest.raises(InvalidArgumentError, match="platform"):
        parse_model_config({"platform": "onnxruntime_onnx"}, "cfg.json")


def test_version_policy() -> None:
    assert VersionPolicy().select([3, 1, 2]) == [3]
    assert VersionPolicy(latest={"num_versions": 2}).select([3, 1, 2]) == [2, 3]
    assert VersionPolicy(all={}).select([3, 1, 2]) == [1, 2, 3]
    assert VersionPolicy(specific={"versions": [1, 3]}).select([3, 1, 2]) == [1, 3]


def test_yaml_config(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "max_batch_size: 4\ndynamic_batching:\n  preferred_batch_size: [2, 4]\n"
    )
    cfg = read_model_config(tmp_path)
    assert isinstance(cfg, ModelConfig) and cfg.max_batch_size == 4
    assert cfg.dynamic_batching is not None and cfg.dynamic_batching.preferred_batch_size == [2, 4]


def test_read_model_config_rejects_bad_json(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{max_batch_size: 4")
    with pytest.raises(InvalidArgumentError, match="cannot parse"):
        read_model_config(tmp_path)


def _cuda_built() -> bool:
    from mxserve import _runtime

    return any(kind == "cuda" for _, kind in _runtime.backends())


@pytest.mark.parametrize("group", [{"kind": "KIND_GPU"}, {"kind": "KIND_GPU", "gpus": [0, 1]}])
def test_config_rejects_kind_gpu_on_cpu_build(group: dict[str, object]) -> None:
    if _cuda_built():
        pytest.skip("this build has the CUDA backend")
    with pytest.raises(
        InvalidArgumentError,
        match=r"cfg.json: instance_group.0: .*KIND_GPU: .*built without CUDA "
        r"\(MXSERVE_WITH_CUDA=OFF\)",
    ):
        parse_model_config({"instance_group": [group]}, "cfg.json")


def test_config_rejects_gpus_on_cpu_groups_and_mixed_kinds() -> None:
    with pytest.raises(InvalidArgumentError, match=r"gpus \[0\] given for a KIND_CPU"):
        parse_model_config({"instance_group": [{"kind": "KIND_CPU", "gpus": [0]}]}, "cfg.json")
    with pytest.raises(InvalidArgumentError, match="greater than or equal to 0"):
        parse_model_config({"instance_group": [{"kind": "KIND_GPU", "gpus": [-1]}]}, "cfg.json")
    if _cuda_built():
        with pytest.raises(InvalidArgumentError, match="mixes KIND_GPU with CPU groups"):
            parse_model_config(
                {"instance_group": [{"kind": "KIND_GPU"}, {"kind": "KIND_CPU"}]}, "cfg.json"
            )


def test_config_device_is_cpu_for_cpu_groups() -> None:
    cfg = parse_model_config({"instance_group": [{"kind": "KIND_CPU", "count": 2}]}, "cfg.json")
    assert cfg.device == "cpu" and cfg.instance_count == 2
    assert parse_model_config({}, "cfg.json").device == "cpu"


def test_config_dtype_comes_from_the_runtime() -> None:
    from mxserve import _runtime

    names = list(_runtime.compute_dtypes())
    assert names[0] == "float32" and "bfloat16" in names
    for name in names:
        assert parse_model_config({"parameters": {"dtype": name}}, "c").compute_dtype == name
    with pytest.raises(InvalidArgumentError, match="parameters.dtype must be 'float32' or"):
        parse_model_config({"parameters": {"dtype": "float64"}}, "cfg.json")
