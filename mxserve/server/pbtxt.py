# SPDX-License-Identifier: Apache-2.0
"""``config.pbtxt``, read as Triton reads it: protobuf text format parsed into Triton's generated
``ModelConfig`` message (``tritonclient.grpc.model_config_pb2``), so a field Triton does not know
or a value of the wrong type is a parse error naming its line. The message is then turned into
the dict ``config.parse_model_config`` validates: the fields mxserve implements map one to one
(Triton's names), ``parameters { key: "k" value { string_value: "v" } }`` become ``{"k": "v"}``,
and any other field that is set (``sequence_batching``, ``ensemble_scheduling``, an input's
``reshape`` ...) is a load error that names it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InvalidArgumentError


def pbtxt_to_dict(text: str, source: str) -> dict[str, Any]:
    """The config in ``text`` (protobuf text format) as a dict of Triton field names."""
    from google.protobuf import json_format, text_format
    from tritonclient.grpc import model_config_pb2

    msg = model_config_pb2.ModelConfig()
    try:
        text_format.Parse(text, msg)
    except text_format.ParseError as e:
        raise InvalidArgumentError(f"cannot parse {source}: {e}") from None
    raw = json_format.MessageToDict(msg, preserving_proto_field_name=True)
    params = raw.get("parameters")
    if isinstance(params, dict):
        flat = {}
        for key, value in params.items():
            if set(value) - {"string_value"}:
                raise InvalidArgumentError(
                    f"invalid model config {source}: parameters.{key}: only string_value is set "
                    "in a Triton model parameter"
                )
            flat[key] = value.get("string_value", "")
        raw["parameters"] = flat
    return raw


def read_pbtxt(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidArgumentError(f"cannot read {path}: {e}") from None
    return pbtxt_to_dict(text, str(path))
