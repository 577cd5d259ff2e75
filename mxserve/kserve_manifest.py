# SPDX-License-Identifier: Apache-2.0
"""``mxserve kserve-manifest``: a KServe ``InferenceService`` that runs the mxserve container.

The predictor is a custom container (the image of ``deploy/docker/Dockerfile``) speaking the
KServe v2 protocol over HTTP (port 8080) and gRPC (port 8001), with its liveness probe on
``/v2/health/live`` and its readiness probe on ``/v2/health/ready``. The model store comes from a
storage URI (``s3://``, ``gs://``, ``https://``...) or a PersistentVolumeClaim (``pvc://NAME/PATH``):
KServe's storage initializer puts it in ``/mnt/models``, which is the server's ``--model-store``.
The InferenceService uses KServe's RawDeployment mode, where a predictor may expose two ports
(Knative, the Serverless mode, allows one).
"""

from __future__ import annotations

import argparse
import re
from typing import Any

import yaml

from .errors import InvalidArgumentError

#: Where KServe's storage initializer downloads or mounts ``storageUri``.
MODEL_DIR = "/mnt/models"
HTTP_PORT = 8080
GRPC_PORT = 8001
METRICS_PORT = 8002

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")  # an RFC 1123 label, as Kubernetes wants
_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$")


def _check(args: argparse.Namespace) -> None:
    if not _NAME.match(args.name) or len(args.name) > 45:
        raise InvalidArgumentError(
            f"--name '{args.name}' must be lowercase letters, digits and '-', at most 45 "
            "characters (KServe adds suffixes to make Kubernetes names of at most 63)"
        )
    if args.storage_uri and args.pvc:
        raise InvalidArgumentError("give --storage-uri or --pvc, not both")
    if not args.storage_uri and not args.pvc:
        raise InvalidArgumentError("give the model store: --storage-uri URI or --pvc NAME[/PATH]")
    if args.storage_uri and "://" not in args.storage_uri:
        raise InvalidArgumentError(
            f"--storage-uri '{args.storage_uri}' has no scheme (s3://, gs://, https://, pvc://...)"
        )
    for flag in ("cpu", "memory"):
        value = getattr(args, flag)
        if not _QUANTITY.match(value):
            raise InvalidArgumentError(f"--{flag} '{value}' is not a Kubernetes quantity")
    if not 1 <= args.min_replicas <= args.max_replicas:
        raise InvalidArgumentError(
            f"replicas: need 1 <= --min-replicas ({args.min_replicas}) <= --max-replicas "
            f"({args.max_replicas})"
        )
    if args.threads < 0:
        raise InvalidArgumentError(f"--threads must be >= 0, got {args.threads}")


def manifest(args: argparse.Namespace) -> dict[str, Any]:
    """The InferenceService of ``args`` (the options of ``add_arguments``) as a plain dict."""
    _check(args)
    storage_uri = args.storage_uri or f"pvc://{args.pvc}"
    server_args = [
        "--model-store",
        MODEL_DIR,
        "--host",
        "0.0.0.0",
        "--http-port",
        str(HTTP_PORT),
        "--metrics-port",
        str(METRICS_PORT),
    ]
    if args.threads:
        server_args += ["--threads", str(args.threads)]

    def probe(path: str, period: int, failures: int) -> dict[str, Any]:
        return {
            "httpGet": {"path": path, "port": HTTP_PORT},
            "periodSeconds": period,
            "timeoutSeconds": 3,
            "failureThreshold": failures,
        }

    resources = {"cpu": args.cpu, "memory": args.memory}
    container = {
        "name": "kserve-container",
        "image": args.image,
        "args": server_args,
        "env": [{"name": "STORAGE_URI", "value": storage_uri}],
        "ports": [
            {"name": "http1", "containerPort": HTTP_PORT, "protocol": "TCP"},
            {"name": "grpc-port", "containerPort": GRPC_PORT, "protocol": "TCP"},
        ],
        "startupProbe": probe("/v2/health/live", 2, 30),
        "livenessProbe": probe("/v2/health/live", 10, 3),
        "readinessProbe": probe("/v2/health/ready", 5, 3),
        "resources": {"requests": dict(resources), "limits": dict(resources)},
        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False},
    }
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {
            "name": args.name,
            "annotations": {
                "serving.kserve.io/deploymentMode": "RawDeployment",
                "serving.kserve.io/autoscalerClass": "hpa",
                "serving.kserve.io/metric": "cpu",
                "serving.kserve.io/targetUtilizationPercentage": "80",
                "prometheus.io/scrape": "true",
                "prometheus.io/port": str(METRICS_PORT),
                "prometheus.io/path": "/metrics",
            },
        },
        "spec": {
            "predictor": {
                "minReplicas": args.min_replicas,
                "maxReplicas": args.max_replicas,
                # SIGTERM drains in-flight requests for up to --exit-timeout-secs (30 s).
                "terminationGracePeriodSeconds": 40,
                "containers": [container],
            }
        },
    }


def render(args: argparse.Namespace) -> str:
    """The manifest as YAML, keys in the order written above."""
    return yaml.safe_dump(manifest(args), sort_keys=False, default_flow_style=False)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``mxserve kserve-manifest``."""
    parser.add_argument("--name", default="mxserve", help="InferenceService name")
    parser.add_argument("--image", default="mxserve:cpu", help="container image to run")
    parser.add_argument(
        "--storage-uri", default=None, help="model store URI (s3://, gs://, https://, pvc://)"
    )
    parser.add_argument(
        "--pvc", default=None, metavar="NAME[/PATH]", help="model store on a PersistentVolumeClaim"
    )
    parser.add_argument("--cpu", default="2", help="CPU request and limit (default 2)")
    parser.add_argument("--memory", default="2Gi", help="memory request and limit (default 2Gi)")
    parser.add_argument("--min-replicas", type=int, default=1)
    parser.add_argument("--max-replicas", type=int, default=3)
    parser.add_argument(
        "--threads", type=int, default=0, help="intra-op threads per model (0: the server default)"
    )
