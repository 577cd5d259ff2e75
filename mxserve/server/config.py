# SPDX-License-Identifier: Apache-2.0
"""Server settings and the model configuration schema (Triton's field names, MMS aliases)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import InvalidArgumentError, MXServeError
from ..predictor import check_device, compute_dtypes

#: Model names: letters, digits, ``_``, ``-``, ``.``; never a path.
MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
#: ``PREFIX-NNNN.params``, the parameter file MXNet saves for epoch NNNN.
PARAMS_FILE = re.compile(r"^(?P<prefix>.+)-(?P<epoch>\d{4})\.params$")

#: Triton config data types and the OIP datatype and numpy dtype of each.
DATA_TYPES: dict[str, tuple[str, str]] = {
    "TYPE_BOOL": ("BOOL", "bool"),
    "TYPE_UINT8": ("UINT8", "uint8"),
    "TYPE_UINT16": ("UINT16", "uint16"),
    "TYPE_UINT32": ("UINT32", "uint32"),
    "TYPE_UINT64": ("UINT64", "uint64"),
    "TYPE_INT8": ("INT8", "int8"),
    "TYPE_INT16": ("INT16", "int16"),
    "TYPE_INT32": ("INT32", "int32"),
    "TYPE_INT64": ("INT64", "int64"),
    "TYPE_FP16": ("FP16", "float16"),
    "TYPE_FP32": ("FP32", "float32"),
    "TYPE_FP64": ("FP64", "float64"),
}
OIP_TO_NUMPY = {oip: np_name for oip, np_name in DATA_TYPES.values()}
NUMPY_TO_OIP = {np_name: oip for oip, np_name in DATA_TYPES.values()}
OIP_TO_CONFIG = {oip: cfg for cfg, (oip, _) in DATA_TYPES.items()}
#: numpy dtype (native byte order) -> OIP datatype; keyed by dtype, no per-request name lookups.
OIP_OF_DTYPE: dict[np.dtype[Any], str] = {np.dtype(n): oip for oip, n in DATA_TYPES.values()}


_DTYPES = {cfg: np.dtype(n) for cfg, (_, n) in DATA_TYPES.items()}


def _known_data_type(v: str) -> str:
    if v not in DATA_TYPES:
        raise ValueError(f"data_type '{v}' is not one of {sorted(DATA_TYPES)}")
    return v


#: A Triton config data type name (``TYPE_FP32``...), checked against DATA_TYPES.
DataType = Annotated[str, AfterValidator(_known_data_type)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TensorConfig(_Strict):
    """One ``input``/``output`` entry: ``dims`` exclude the batch dimension when max_batch_size > 0."""

    name: str
    data_type: DataType = "TYPE_FP32"
    dims: list[int] = Field(default_factory=lambda: [-1])
    optional: bool = False

    @property
    def datatype(self) -> str:
        return DATA_TYPES[self.data_type][0]

    @property
    def numpy_dtype(self) -> str:
        return DATA_TYPES[self.data_type][1]

    @property
    def dtype(self) -> np.dtype[Any]:
        return _DTYPES[self.data_type]


class QueuePolicy(_Strict):
    timeout_action: Literal["REJECT", "DELAY"] = "REJECT"
    default_timeout_microseconds: int = Field(default=0, ge=0)
    allow_timeout_override: bool = False
    max_queue_size: int = Field(default=0, ge=0)


class DynamicBatching(_Strict):
    preferred_batch_size: list[int] = Field(default_factory=list)
    max_queue_delay_microseconds: int = Field(default=0, ge=0)
    preserve_ordering: bool = False
    priority_levels: int = Field(default=0, ge=0)
    default_priority_level: int = Field(default=0, ge=0)
    default_queue_policy: QueuePolicy = Field(default_factory=lambda: QueuePolicy())
    priority_queue_policy: dict[int, QueuePolicy] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _levels(self) -> DynamicBatching:
        n = self.priority_levels
        if n and not 1 <= self.default_priority_level <= n:
            raise ValueError(
                f"default_priority_level must be in 1..priority_levels ({n}), "
                f"got {self.default_priority_level}"
            )
        bad = sorted(k for k in self.priority_queue_policy if not 1 <= k <= max(n, 0))
        if bad:
            raise ValueError(
                f"priority_queue_policy levels {bad} are outside 1..priority_levels ({n})"
            )
        return self


class InstanceGroup(_Strict):
    name: str = ""
    count: int = Field(default=1, ge=1)
    kind: Literal["KIND_AUTO", "KIND_CPU", "KIND_GPU", "KIND_MODEL"] = "KIND_AUTO"
    gpus: list[Annotated[int, Field(ge=0)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _device_present(self) -> InstanceGroup:
        """A KIND_GPU group needs each of its GPUs (default 0) to be usable by this build."""
        if self.kind == "KIND_GPU":
            for gpu in self.gpus or [0]:
                try:
                    check_device(f"cuda:{gpu}")
                except MXServeError as e:
                    raise ValueError(f"KIND_GPU: {e}") from None
        elif self.gpus:
            raise ValueError(f"gpus {self.gpus} given for a {self.kind} instance group")
        return self


class VersionPolicy(_Strict):
    latest: dict[str, int] | None = None  # {"num_versions": N}
    all: dict[str, Any] | None = None
    specific: dict[str, list[int]] | None = None  # {"versions": [..]}

    def select(self, available: list[int]) -> list[int]:
        """The versions this policy serves out of the ``available`` version directories."""
        ordered = sorted(available)
        if self.all is not None:
            return ordered
        if self.specific is not None:
            wanted = set(self.specific.get("versions", []))
            return [v for v in ordered if v in wanted]
        n = (self.latest or {}).get("num_versions", 1)
        return ordered[-n:] if n > 0 else []


class WarmupInput(_Strict):
    data_type: DataType = "TYPE_FP32"
    dims: list[int] = Field(default_factory=list)
    zero_data: bool = False
    random_data: bool = False
    input_data_file: str = ""

    @model_validator(mode="after")
    def _one_source(self) -> WarmupInput:
        if self.input_data_file:
            raise ValueError("input_data_file is not supported; use zero_data or random_data")
        if self.zero_data == self.random_data:
            raise ValueError("set exactly one of zero_data and random_data")
        if any(d <= 0 for d in self.dims):
            raise ValueError(f"warm-up dims must be positive, got {self.dims}")
        return self


class ModelWarmup(_Strict):
    """One ``model_warmup`` sample (Triton's ModelWarmup): run ``count`` times at load."""

    name: str = ""
    batch_size: int = Field(default=1, ge=0)
    inputs: dict[str, WarmupInput] = Field(default_factory=dict)
    count: int = Field(default=1, ge=0)


class ModelConfig(_Strict):
    """A model's ``config.json``/``config.yaml`` in Triton's ModelConfig field names.

    MMS/TorchServe names are accepted as aliases (see ``normalise_config``)."""

    name: str = ""
    platform: str = "mxnet_mxnet"
    backend: str = ""
    max_batch_size: int = Field(default=0, ge=0)
    input: list[TensorConfig] = Field(default_factory=list)
    output: list[TensorConfig] = Field(default_factory=list)
    dynamic_batching: DynamicBatching | None = None
    instance_group: list[InstanceGroup] = Field(default_factory=list)
    version_policy: VersionPolicy = Field(default_factory=VersionPolicy)
    epoch: int | None = Field(
        default=None, ge=0
    )  # which NAME-EPOCH.params to load (None: the highest)
    parameters: dict[str, Any] = Field(default_factory=dict)
    model_warmup: list[ModelWarmup] = Field(default_factory=list)

    @field_validator("platform")
    @classmethod
    def _mxnet_only(cls, v: str) -> str:
        if v not in ("mxnet_mxnet", ""):
            raise ValueError(f"platform '{v}' is not served by mxserve (expected 'mxnet_mxnet')")
        return "mxnet_mxnet"

    @field_validator("parameters")
    @classmethod
    def _known_dtype(cls, v: dict[str, Any]) -> dict[str, Any]:
        known = compute_dtypes()
        if v.get("dtype", "float32") not in known:
            names = " or ".join(repr(d) for d in known)
            raise ValueError(f"parameters.dtype must be {names}, got {v['dtype']!r}")
        return v

    @model_validator(mode="after")
    def _one_device_kind(self) -> ModelConfig:
        kinds = {g.kind == "KIND_GPU" for g in self.instance_group}
        if len(kinds) > 1:
            raise ValueError(
                "instance_group mixes KIND_GPU with CPU groups; a model's instances run on one "
                "kind of device"
            )
        return self

    @property
    def compute_dtype(self) -> str:
        """``parameters.dtype``: one of ``mxserve.predictor.compute_dtypes()``, float32 by
        default (bfloat16: bf16 compute, fp32 in and out)."""
        return str(self.parameters.get("dtype", "float32"))

    @property
    def device(self) -> str:
        """The device the instances run on: ``cuda:N`` (the first GPU of the first KIND_GPU
        group) or ``cpu``."""
        for g in self.instance_group:
            if g.kind == "KIND_GPU":
                return f"cuda:{(g.gpus or [0])[0]}"
        return "cpu"

    @property
    def instance_count(self) -> int:
        return sum(g.count for g in self.instance_group) or 1

    def to_triton_json(self) -> dict[str, Any]:
        """The config as Triton's ``/config`` endpoint reports it (defaults filled in)."""
        out = self.model_dump(exclude={"epoch"}, exclude_none=True)
        out["platform"] = "mxnet_mxnet"
        out["backend"] = "mxserve"
        if not self.instance_group:
            out["instance_group"] = [
                {"name": f"{self.name}_0", "count": 1, "kind": "KIND_CPU", "gpus": []}
            ]
        return out


def normalise_config(raw: dict[str, Any]) -> dict[str, Any]:
    """Maps MMS/TorchServe aliases onto Triton names: batch_size -> max_batch_size, max_batch_delay
    (ms) -> dynamic_batching.max_queue_delay_microseconds, job_queue_size -> max_queue_size,
    min_worker/minWorkers -> instance_group count, and the camelCase TorchServe spellings."""
    cfg = dict(raw)
    aliases = {
        "batchSize": "batch_size",
        "maxBatchDelay": "max_batch_delay",
        "jobQueueSize": "job_queue_size",
        "minWorkers": "min_worker",
        "modelName": "name",
        "model_name": "name",
    }
    for src, dst in aliases.items():
        if src in cfg:
            cfg.setdefault(dst, cfg.pop(src))
    cfg.pop("maxWorkers", None)
    cfg.pop("max_worker", None)
    if "batch_size" in cfg:
        cfg.setdefault("max_batch_size", int(cfg.pop("batch_size")))
    batching_keys = ("max_batch_delay", "job_queue_size")
    if any(k in cfg for k in batching_keys):
        db = dict(cfg.get("dynamic_batching") or {})
        if "max_batch_delay" in cfg:
            db.setdefault(
                "max_queue_delay_microseconds", int(float(cfg.pop("max_batch_delay")) * 1000)
            )
        if "job_queue_size" in cfg:
            qp = dict(db.get("default_queue_policy") or {})
            qp.setdefault("max_queue_size", int(cfg.pop("job_queue_size")))
            db["default_queue_policy"] = qp
        cfg["dynamic_batching"] = db
    if "min_worker" in cfg:
        cfg.setdefault(
            "instance_group", [{"count": int(cfg.pop("min_worker")), "kind": "KIND_CPU"}]
        )
    return cfg


def parse_model_config(raw: dict[str, Any], source: str) -> ModelConfig:
    """Validates a config dict; errors name the file and the field."""
    try:
        return ModelConfig.model_validate(normalise_config(raw))
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()
        )
        raise InvalidArgumentError(f"invalid model config {source}: {problems}") from None


def read_model_config(model_dir: Path) -> ModelConfig | None:
    """Reads ``config.json`` (or ``config.yaml``/``.yml``) from a model directory, or None."""
    for fname in ("config.json", "config.yaml", "config.yml"):
        path = model_dir / fname
        if not path.is_file():
            continue
        text = path.read_text()
        try:
            if fname.endswith(".json"):
                raw = json.loads(text)
            else:
                import yaml  # type: ignore[import-untyped,unused-ignore]

                raw = yaml.safe_load(text)
        except Exception as e:  # json.JSONDecodeError, yaml.YAMLError
            raise InvalidArgumentError(f"cannot parse {path}: {e}") from None
        if not isinstance(raw, dict):
            raise InvalidArgumentError(f"{path}: expected an object at the top level")
        return parse_model_config(raw, str(path))
    return None


def _env(name: str, default: Any) -> Any:
    return os.environ.get(f"MXSERVE_{name.upper()}", default)


class Settings(BaseModel):
    """Everything ``mxserve serve`` can be told (CLI flags, or MXSERVE_<NAME> environment variables)."""

    model_config = ConfigDict(extra="forbid")

    model_store: Path | None = Path("model_store")
    models: dict[str, Path] = Field(default_factory=dict)  # --model NAME=PATH
    host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    metrics_port: int | None = Field(default=8002, ge=0, le=65535)
    model_control_mode: Literal["none", "explicit", "poll"] = "none"
    repository_poll_secs: float = Field(
        default=15.0, gt=0, allow_inf_nan=False
    )  # poll mode: seconds between scans
    load_models: list[str] = Field(
        default_factory=list
    )  # explicit mode: models loaded at start ("*" = all)
    strict_readiness: bool = True
    exit_timeout_secs: float = Field(default=30.0, ge=0, allow_inf_nan=False)
    max_request_bytes: int = Field(default=64 << 20, gt=0)
    overload_status: Literal[503, 429] = 503
    retry_after_secs: int = Field(default=1, ge=0)
    enable_model_api: bool = False  # MMS management POST/PUT/DELETE /models
    num_threads: int = Field(
        default=0, ge=0
    )  # intra-op threads per model instance; 0 = cores / (instances * workers)
    workers: int = 1  # server processes sharing the listeners (workers.py); 1 = this process only
    access_log: bool = True
    log_format: Literal["json", "text"] = "json"

    @field_validator("workers")
    @classmethod
    def _at_least_one_worker(cls, v: int) -> int:
        if v < 1:
            raise ValueError(f"workers must be an integer >= 1, got {v}")
        return v

    @model_validator(mode="after")
    def _model_set_fixed_with_workers(self) -> Settings:
        # Each worker holds its own repository, so a change of the model set made through one
        # worker's API would reach that worker only.
        if self.workers > 1:
            if self.model_control_mode == "explicit":
                raise ValueError(
                    "--model-control-mode explicit changes the model set in one process only; "
                    "it needs --workers 1"
                )
            if self.enable_model_api:
                raise ValueError(
                    "--enable-model-api changes the model set in one process only; "
                    "it needs --workers 1"
                )
        return self

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings from MXSERVE_* variables, then ``overrides`` (CLI flags) on top."""
        values: dict[str, Any] = {}
        for name in (
            "model_store",
            "host",
            "http_port",
            "metrics_port",
            "exit_timeout_secs",
            "max_request_bytes",
            "model_control_mode",
            "repository_poll_secs",
            "num_threads",
            "workers",
            "log_format",
        ):
            v = _env(name, None)
            if v is not None:
                values[name] = v
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as e:
            problems = "; ".join(_problem(err) for err in e.errors())
            raise InvalidArgumentError(f"invalid server settings: {problems}") from None


def _problem(err: Any) -> str:
    """One pydantic error as ``field: message`` (just the message for whole-model checks)."""
    msg = str(err["msg"]).removeprefix("Value error, ")
    loc = ".".join(str(p) for p in err["loc"])
    return f"{loc}: {msg}" if loc else msg
