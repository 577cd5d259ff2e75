# SPDX-License-Identifier: Apache-2.0
"""``mxserve kserve-manifest`` and deploy/kserve/inferenceservice.yaml: the committed manifest is
the generator's output, its ports and probes are the server's, and (marker ``kserve``, with the
``kserve`` extra) KServe's own Python models accept every field of it and refuse a typo."""

from __future__ import annotations

import argparse
import copy
import pathlib
import re

import pytest
import yaml

from mxserve import kserve_manifest
from mxserve.cli import main
from mxserve.errors import InvalidArgumentError

REPO = pathlib.Path(__file__).resolve().parents[2]
COMMITTED = REPO / "deploy" / "kserve" / "inferenceservice.yaml"
#: The options deploy/kserve/inferenceservice.yaml was generated with.
COMMITTED_ARGS = ["--name", "mxserve-digits", "--pvc", "mxserve-models/model_store"]


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    kserve_manifest.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_committed_manifest_is_the_generators_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kserve-manifest", *COMMITTED_ARGS]) == 0
    assert capsys.readouterr().out == COMMITTED.read_text()


def test_manifest_runs_the_server_on_the_container_ports() -> None:
    doc = yaml.safe_load(COMMITTED.read_text())
    (container,) = doc["spec"]["predictor"]["containers"]
    assert container["name"] == "kserve-container"
    args = container["args"]
    assert args[args.index("--model-store") + 1] == kserve_manifest.MODEL_DIR
    assert args[args.index("--http-port") + 1] == str(kserve_manifest.HTTP_PORT)
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http1": 8080, "grpc-port": 8001}
    assert container["livenessProbe"]["httpGet"] == {"path": "/v2/health/live", "port": 8080}
    assert container["readinessProbe"]["httpGet"] == {"path": "/v2/health/ready", "port": 8080}
    assert {"name": "STORAGE_URI", "value": "pvc://mxserve-models/model_store"} in container["env"]
    # The Dockerfile exposes the same ports.
    dockerfile = (REPO / "deploy" / "docker" / "Dockerfile").read_text()
    exposed = set(re.search(r"^EXPOSE (.*)$", dockerfile, re.M).group(1).split())
    assert {"8080", "8001", args[args.index("--metrics-port") + 1]} <= exposed


def test_storage_uri_and_resources_are_written() -> None:
    doc = kserve_manifest.manifest(
        _args("--storage-uri", "s3://bucket/store", "--cpu", "500m", "--memory", "1Gi")
    )
    (container,) = doc["spec"]["predictor"]["containers"]
    assert container["env"] == [{"name": "STORAGE_URI", "value": "s3://bucket/store"}]
    assert container["resources"]["limits"] == {"cpu": "500m", "memory": "1Gi"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--pvc", "p", "--name", "Bad_Name"], "--name 'Bad_Name'"),
        ([], "give the model store"),
        (["--pvc", "p", "--storage-uri", "s3://b"], "not both"),
        (["--storage-uri", "bucket/store"], "has no scheme"),
        (["--pvc", "p", "--cpu", "two"], "--cpu 'two' is not a Kubernetes quantity"),
        (["--pvc", "p", "--min-replicas", "3", "--max-replicas", "2"], "--min-replicas (3)"),
    ],
)
def test_bad_options_are_refused(argv: list[str], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=re.escape(message)):
        kserve_manifest.manifest(_args(*argv))


def test_bad_option_exits_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kserve-manifest", "--storage-uri", "nowhere"]) == 1
    assert "has no scheme" in capsys.readouterr().err


@pytest.mark.kserve
def test_kserve_models_accept_the_manifest() -> None:
    pytest.importorskip("kserve", reason="pip install '.[kserve]'")
    from kserve import ApiClient

    from deploy import kserve_schema

    doc = yaml.safe_load(COMMITTED.read_text())
    isvc = kserve_schema.build(doc, "V1beta1InferenceService")
    assert type(isvc).__name__ == "V1beta1InferenceService"
    assert isvc.spec.predictor.containers[0].readiness_probe.http_get.path == "/v2/health/ready"
    # Nothing was dropped on the way: the SDK serializes it back to the same document.
    assert ApiClient().sanitize_for_serialization(isvc) == doc


@pytest.mark.kserve
@pytest.mark.parametrize(
    ("where", "typo"),
    [
        (("spec", "predictor"), "maxReplica"),
        (("spec", "predictor", "containers", 0), "readinesProbe"),
        (("spec", "predictor", "containers", 0, "ports", 1), "containerport"),
        (("metadata",), "annotation"),
    ],
)
def test_kserve_models_refuse_a_typo(where: tuple[object, ...], typo: str) -> None:
    pytest.importorskip("kserve", reason="pip install '.[kserve]'")
    from deploy import kserve_schema

    doc = copy.deepcopy(yaml.safe_load(COMMITTED.read_text()))
    node = doc
    for key in where:
        node = node[key]
    node[typo] = 1
    with pytest.raises(kserve_schema.SchemaError, match=f"unknown field '{typo}'"):
        kserve_schema.build(doc, "V1beta1InferenceService")


@pytest.mark.kserve
def test_kserve_models_refuse_a_missing_required_field() -> None:
    pytest.importorskip("kserve", reason="pip install '.[kserve]'")
    from deploy import kserve_schema

    doc = copy.deepcopy(yaml.safe_load(COMMITTED.read_text()))
    del doc["spec"]["predictor"]["containers"][0]["ports"][0]["containerPort"]
    with pytest.raises(kserve_schema.SchemaError, match="containerPort|container_port"):
        kserve_schema.build(doc, "V1beta1InferenceService")
