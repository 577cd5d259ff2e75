# SPDX-License-Identifier: Apache-2.0
"""docs/ops.md is generated from the operator registry and must match it."""

import pathlib

from mxserve._opsdoc import render_markdown

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def test_ops_page_matches_registry():
    assert (DOCS / "ops.md").read_text() == render_markdown(), (
        "docs/ops.md is stale: regenerate it with `mxserve ops --markdown > docs/ops.md`"
    )
