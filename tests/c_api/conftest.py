# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the C API tests."""

from __future__ import annotations

import pathlib

import pytest

from c_api import _capi


@pytest.fixture(scope="session")
def mlp_dir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A folder with the MLP model, its inputs and expected outputs."""
    folder = tmp_path_factory.mktemp("mlp")
    _capi.write_mlp(folder)
    return folder


@pytest.fixture(scope="session")
def c_test_program(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """tests/c_api/test_c_predict_api.c built as C99 with -Werror."""
    exe = tmp_path_factory.mktemp("c_test") / "test_c_predict_api"
    _capi.build([_capi.HERE / "test_c_predict_api.c"], exe, flags=["-pedantic"])
    return exe
