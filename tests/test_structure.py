# SPDX-License-Identifier: Apache-2.0
"""Every operator file is registered in ops/CMakeLists.txt and has its test file; every
registered operator has a CPU kernel and appears in at least one oracle case."""

import json
import pathlib

from oracle import cases

import mxserve

REPO = pathlib.Path(__file__).resolve().parents[1]

# Operators no MXNet front-end call writes into a symbol, so no oracle case can contain them;
# each is checked by hand-written graphs in its tests/ops file instead.
NO_ORACLE = {
    "_grad_add": "gradient accumulation node, only in backward graphs",
    "_npi_copysign_scalar": "MXNet 2.0.0b1 cannot bind it (its backward node's input count is "
    "wrong); tests/ops/test_np_elemwise.py checks it against numpy",
}


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


def test_every_operator_has_a_cpu_kernel():
    missing = [row["name"] for row in mxserve._runtime.operator_table() if not row["cpu"]]
    assert not missing, f"operators without a CPU kernel: {missing}"


def _oracle_ops() -> set[str]:
    """Operator names in the symbols of every oracle case of tests/ops (exported on first use)."""
    seen: set[str] = set()
    for c, folder, _ in cases.all_results():
        sym = folder / c.name / "symbol.json"
        if sym.exists():
            seen.update(n["op"] for n in json.loads(sym.read_text())["nodes"])
    return seen


def test_every_operator_has_an_oracle_case():
    seen = _oracle_ops()
    uncovered = []
    for row in mxserve._runtime.operator_table():
        if row["name"] in NO_ORACLE:
            continue
        if not ({row["name"], *row["aliases"]} & seen):
            uncovered.append(row["name"])
    assert not uncovered, (
        f"operators no oracle case in tests/ops runs (add a case to their test): {uncovered}"
    )
