# SPDX-License-Identifier: Apache-2.0
"""Builds KServe's own Python models (the ``kserve`` SDK, with the Kubernetes client's models for
core types) from a manifest dict, refusing any key the models do not define.

The SDK's generated deserializer drops unknown keys silently, so a typo (``readinesProbe``)
would pass it. Here every key is looked up in the class's ``attribute_map``, every value is
built with the class's declared ``openapi_types``, and the constructors run the SDK's own
client-side validation (required fields, enums).
"""

from __future__ import annotations

import re
from typing import Any

import kserve.models as kserve_models
import kubernetes.client.models as k8s_models

_PRIMITIVES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "object": (object,),
}


class SchemaError(ValueError):
    """A manifest key or value that KServe's models do not accept."""


def _model_class(name: str) -> type:
    for module in (kserve_models, k8s_models):
        cls = getattr(module, name, None)
        if cls is not None:
            return cls
    raise SchemaError(f"no model class {name}")


def build(data: Any, klass: str, path: str = "") -> Any:
    """``data`` as an instance of the model type named ``klass`` (``V1beta1InferenceService``,
    ``list[V1Container]``, ``dict(str, str)``...)."""
    m = re.fullmatch(r"(?:list|List)\[(.*)\]", klass)
    if m:
        if not isinstance(data, list):
            raise SchemaError(f"{path}: expected a list, got {type(data).__name__}")
        return [build(v, m.group(1), f"{path}[{i}]") for i, v in enumerate(data)]
    m = re.fullmatch(r"(?:dict\(str, |Dict\[str, )(.*)[\)\]]", klass)
    if m:
        if not isinstance(data, dict):
            raise SchemaError(f"{path}: expected a mapping, got {type(data).__name__}")
        return {k: build(v, m.group(1), f"{path}.{k}") for k, v in data.items()}
    if klass in _PRIMITIVES:
        if klass != "object" and (
            not isinstance(data, _PRIMITIVES[klass])
            or (klass in ("int", "float") and isinstance(data, bool))
        ):
            raise SchemaError(f"{path}: expected {klass}, got {data!r}")
        return data
    cls = _model_class(klass)
    if not isinstance(data, dict):
        raise SchemaError(f"{path}: expected a {klass} mapping, got {type(data).__name__}")
    by_json = {json_key: attr for attr, json_key in cls.attribute_map.items()}
    kwargs = {}
    for key, value in data.items():
        if key not in by_json:
            raise SchemaError(
                f"{path or klass}: unknown field '{key}' for {klass} (known: {sorted(by_json)})"
            )
        attr = by_json[key]
        kwargs[attr] = build(value, cls.openapi_types[attr], f"{path}.{key}")
    try:
        return cls(**kwargs)
    except ValueError as e:
        raise SchemaError(f"{path or klass}: {e}") from None
