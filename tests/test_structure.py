# SPDX-License-Identifier: Apache-2.0
"""Every operator file is registered in ops/CMakeLists.txt and has its test file."""

import pathlib

REPO = pathlib.Path(__file__).resolve().parents[1]


def test_every_op_file_is_registered_and_tested():
    cmake = (REPO / "runtime" / "ops" / "CMakeLists.txt").read_text()
    for source in sorted((REPO / "runtime" / "ops").glob("*.cc")):
        name = source.stem
        if name == "registry":
            continue
        assert f"mxs_add_op({name})" in cmake, f"runtime/ops/{name}.cc has no mxs_add_op line"
        assert (REPO / "tests" / "ops" / f"test_{name}.py").exists(), (
            f"runtime/ops/{name}.cc has no test"
        )
