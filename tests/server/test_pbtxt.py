# SPDX-License-Identifier: Apache-2.0
"""``config.pbtxt``: a Triton-style repository (dynamic batching with priorities, instance
groups, version policy, model warm-up) serves unchanged; the config a Triton client reads back
matches the file as protobuf's own text parser reads it; bad files fail their model's load with
the file and field named."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tritonclient.grpc as tg
from google.protobuf import json_format, text_format
from tritonclient.grpc import model_config_pb2

from mxserve.errors import InvalidArgumentError
from mxserve.server.config import read_model_config
from server._serving import DIGITS, Server

OUT = "dense2_fwd_output"

TRITON_CONFIG = """
name: "mlp"
platform: "mxnet_mxnet"
max_batch_size: 8
input [
  {
    name: "data"
    data_type: TYPE_FP32
    dims: [ 64 ]
  }
]
output [
  {
    name: "dense2_fwd_output"
    data_type: TYPE_FP32
    dims: [ 10 ]
  }
]
dynamic_batching {
  preferred_batch_size: [ 4, 8 ]
  max_queue_delay_microseconds: 3000
  priority_levels: 2
  default_priority_level: 2
  default_queue_policy {
    timeout_action: DELAY
    default_timeout_microseconds: 500000
    allow_timeout_override: true
    max_queue_size: 64
  }
  priority_queue_policy {
    key: 1
    value { max_queue_size: 16 }
  }
}
instance_group [ { count: 2, kind: KIND_CPU } ]
version_policy: { specific: { versions: [ 1, 3 ] } }
model_warmup [
  {
    name: "zeros"
    batch_size: 4
    inputs { key: "data" value { data_type: TYPE_FP32 dims: [ 64 ] zero_data: true } }
  }
]
parameters { key: "num_threads" value { string_value: "1" } }
"""


def _model(root: Path, name: str, config: str, versions: tuple[int, ...] = (1,)) -> None:
    for v in versions:
        shutil.copytree(DIGITS / "1", root / name / str(v))
    (root / name / "config.pbtxt").write_text(config)


@pytest.fixture
def triton_repo(tmp_path: Path) -> Path:
    root = tmp_path / "models"
    _model(root, "mlp", TRITON_CONFIG, versions=(1, 2, 3))
    _model(root, "seq", 'name: "seq"\nmax_batch_size: 4\nsequence_batching { }\n')
    _model(root, "typo", 'name: "typo"\nmax_batch_sise: 4\n')
    _model(root, "two", 'name: "two"\nmax_batch_size: 4\n')
    (root / "two" / "config.json").write_text(json.dumps({"max_batch_size": 4}))
    return root


def test_triton_repository_serves_unchanged(
    serve: Callable[..., Server],
    triton_repo: Path,
    digits: tuple[np.ndarray, np.ndarray],
    reference: Callable[[np.ndarray], np.ndarray],
) -> None:
    s = serve(triton_repo)
    c = tg.InferenceServerClient(s.grpc_address)
    try:
        assert c.is_model_ready("mlp", "1") and c.is_model_ready("mlp", "3")
        assert not c.is_model_ready("mlp", "2")  # the version policy leaves it out
        meta = c.get_model_metadata("mlp", as_json=True)
        assert meta["versions"] == ["1", "3"]
        assert meta["inputs"][0]["shape"] == ["-1", "64"]  # the batch dim, then the dims

        got = c.get_model_config("mlp").config
        expected = text_format.Parse(TRITON_CONFIG, model_config_pb2.ModelConfig())
        want = json_format.MessageToDict(expected, preserving_proto_field_name=True)
        have = json_format.MessageToDict(got, preserving_proto_field_name=True)
        for field in (
            "name",
            "platform",
            "max_batch_size",
            "input",
            "output",
            "dynamic_batching",
            "version_policy",
            "model_warmup",
            "parameters",
        ):
            assert have[field] == want[field], field
        assert have["instance_group"][0]["count"] == 2
        assert have["instance_group"][0]["kind"] == "KIND_CPU"

        # Both instances and the warm-up are in place: requests at both priority levels run.
        x = digits[0][:3]
        for priority in (1, 2, 0):
            i = tg.InferInput("data", [3, 64], "FP32")
            i.set_data_from_numpy(x)
            r = c.infer("mlp", [i], model_version="3", priority=priority)
            np.testing.assert_allclose(r.as_numpy(OUT), reference(x), rtol=1e-5, atol=1e-5)

        reasons = {
            m["name"]: m.get("reason", "")
            for m in c.get_model_repository_index(as_json=True)["models"]
            if m.get("state") != "READY"
        }
        assert set(reasons) == {"seq", "typo", "two"}
        assert "sequence_batching: is not a supported field" in reasons["seq"]
        assert "config.pbtxt" in reasons["seq"]
        assert 'has no field named "max_batch_sise"' in reasons["typo"]
        assert "config.pbtxt and config.json" in reasons["two"]
    finally:
        c.close()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", {}),
        ("dynamic_batching { }", {"dynamic_batching": {}}),
        ("version_policy: { all { } }", {"version_policy": {"all": {}}}),
        (
            "version_policy: { latest { num_versions: 2 } }",
            {"version_policy": {"latest": {"num_versions": 2}}},
        ),
    ],
)
def test_pbtxt_fields_map_onto_the_config(tmp_path: Path, text: str, expected: Any) -> None:
    (tmp_path / "config.pbtxt").write_text(text)
    cfg = read_model_config(tmp_path)
    assert cfg is not None
    dumped = cfg.model_dump(exclude_none=True)
    for key, value in expected.items():
        got = dumped[key]
        assert {k: v for k, v in got.items() if k in value} == value if value else got is not None
    if "dynamic_batching" in expected:
        assert cfg.dynamic_batching is not None  # an empty block still turns batching on


@pytest.mark.parametrize(
    "text, message",
    [
        ("input [ { name: 'x' dims: [ 1 ] reshape: { shape: [ 1 ] } } ]", "input.0.reshape"),
        ("parameters { key: 'k' value { } }", None),
        ("max_batch_size: -1", "max_batch_size"),
        ("dims: [1]", 'no field named "dims"'),
        ("max_batch_size: 'four'", "max_batch_size"),
    ],
)
def test_bad_pbtxt_names_the_field(tmp_path: Path, text: str, message: str | None) -> None:
    (tmp_path / "config.pbtxt").write_text(text)
    if message is None:  # a parameter without a value is an empty string, as in Triton
        cfg = read_model_config(tmp_path)
        assert cfg is not None and cfg.parameters == {"k": ""}
        return
    with pytest.raises(InvalidArgumentError) as e:
        read_model_config(tmp_path)
    assert message in str(e.value) and "config.pbtxt" in str(e.value)
