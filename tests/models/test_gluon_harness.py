# SPDX-License-Identifier: Apache-2.0
"""The GluonCV export harness itself (tests/oracle/gluon.py) on a network whose operators are
all supported: a GluonCV ResNet-18 v1b through the Predictor and the C API."""

from oracle.gluon import check_gluon_model


def test_gluoncv_resnet18_v1b() -> None:
    check_gluon_model("classification", "resnet18_v1b")
