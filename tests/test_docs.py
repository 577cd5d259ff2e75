# SPDX-License-Identifier: Apache-2.0
"""docs/ops.md is generated from the operator registry and the kernel catalogue and must match
them; the catalogue must match the kernels this build registers."""

import pathlib

from mxserve import _runtime
from mxserve._opsdoc import render_markdown, render_text

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def test_ops_page_matches_registry():
    assert (DOCS / "ops.md").read_text() == render_markdown(), (
        "docs/ops.md is stale: regenerate it with `mxserve ops --markdown > docs/ops.md`"
    )


def test_kernel_catalogue_matches_the_backends_of_this_build():
    # docs/ops.md's backend columns come from the catalogue CMake reads from the kernel files;
    # every backend this build compiles must register exactly what it lists.
    catalogue = _runtime.kernel_catalogue()
    registered = _runtime.registered_kernels()
    assert "cpu_onednn" in registered
    for backend, names in registered.items():
        assert set(names) == catalogue.get(backend, set()), backend


def test_plain_listing_has_every_operator_and_its_dtypes():
    text = render_text()
    for row in _runtime.operator_table():
        assert f"\n{row['name']}" in f"\n{text}"
    assert "dtypes: float32\n" in text and "cuda: fallback" in text
