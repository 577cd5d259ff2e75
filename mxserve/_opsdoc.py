# SPDX-License-Identifier: Apache-2.0
"""Renders docs/ops.md from the operator registry (`mxserve ops --markdown`)."""

from __future__ import annotations

from . import _runtime

HEADER = """# Supported operators

Generated from the runtime's operator registry by `mxserve ops --markdown > docs/ops.md`;
`tests/test_docs.py` fails when this page and the registry disagree. Names are MXNet's, and the
aliases include the MXNet 2.0 `_npi_*` / `_np_*` / `_npx_*` names. An operator not listed here
fails at load time with the node name and this list. Semantics (attributes, defaults, output
sizes) follow MXNet 1.9.1 and are checked against it by `tests/ops/test_<op>.py`.
`_sg_mkldnn_conv` and `_sg_mkldnn_fully_connected` are MXNet's MKLDNN subgraph nodes, float32 or
quantized; mxserve's fusion passes write them too (`docs/architecture.md`).

| operator | aliases | cpu |
|---|---|---|
"""


def render_markdown() -> str:
    rows = []
    for name, aliases, cpu in _runtime.operator_table():
        alias_text = ", ".join(f"`{a}`" for a in aliases) or "–"
        rows.append(f"| `{name}` | {alias_text} | {'yes' if cpu else 'no'} |\n")
    return HEADER + "".join(rows)
