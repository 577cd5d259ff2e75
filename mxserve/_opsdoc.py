# SPDX-License-Identifier: Apache-2.0
"""Renders docs/ops.md from the operator registry (`mxserve ops --markdown`) and the plain
listing of `mxserve ops`: every operator with its input dtypes, compute modes and backends."""

from __future__ import annotations

from typing import Any

from . import _runtime

HEADER = """# Supported operators

Generated from the runtime's operator registry by `mxserve ops --markdown > docs/ops.md`;
`tests/test_docs.py` fails when this page and the registry disagree. Names are MXNet's, and the
aliases include the MXNet 2.0 `_npi_*` / `_np_*` / `_npx_*` names. An operator not listed here
fails at load time with the node name and this list. Semantics (attributes, defaults, output
sizes) follow MXNet 1.9.1 and are checked against it by `tests/ops/test_<op>.py`.
`_sg_mkldnn_conv` and `_sg_mkldnn_fully_connected` are MXNet's MKLDNN subgraph nodes, float32 or
quantized; mxserve's fusion passes write them too (`docs/architecture.md`).

**dtypes** are the element dtypes the CPU kernel declares for its inputs (`r.Add(...).DTypes(...)`
in `runtime/backends/cpu_onednn/`); `input k:` lists an input read in other dtypes (indices,
lengths, masks). "all" is every dtype (operators that move bytes); "all but" names the
exceptions. A node with an input of another dtype fails at load time with an error naming the
node, the operator, the dtype and the dtypes the kernel reads. On a GPU, a node the CUDA kernel does not take runs on the CPU kernel
(host fallback), so the column holds for both backends.

**compute modes**: `bf16` — the CPU kernel honours `dtype="bfloat16"` (its `PrecisionSupport`:
activations stored, or computed, in bfloat16); `fp16` — the operator runs in float16 graphs,
which mxserve computes in float32 (`exec/float16.cc`); `int8` — a quantized operator of MXNet's
calibrated graphs (`docs/quantization.md`).

**cpu** / **cuda**: whether the backend has a kernel (identity operators alias their input and
need none). The columns come from the kernel catalogue, which the build reads from the kernel
files' registrations, so a CPU-only build documents the CUDA kernels too; a CUDA build checks the
catalogue against its CUDA registry. "fallback" means the operator runs on the CPU kernel with
copies to and from the GPU (`docs/gpu.md`).

| operator | aliases | dtypes | compute modes | cpu | cuda |
|---|---|---|---|---|---|
"""

_MODES = {"bfloat16": "bf16", "float16": "fp16", "int8": "int8"}


def _dtype_text(dtypes: dict[str, Any] | None, identity: bool) -> str:
    if dtypes is None:
        return "all" if identity else "–"

    def names(ds: list[str]) -> str:
        missing = [d for d in _runtime.all_dtypes() if d not in ds]
        if not missing:
            return "all"
        return f"all but {', '.join(missing)}" if len(missing) <= 2 else ", ".join(ds)

    parts = [names(dtypes["data"])]
    for i, ds in sorted(dtypes["inputs"].items()):
        parts.append(f"input {i}: {names(ds)}")
    return "; ".join(parts)


def _backend_text(row: dict[str, Any], backend: str) -> str:
    if row["kernels"].get(backend, False):
        return "yes"
    if row["identity"]:
        return "alias"
    return "fallback" if backend != "cpu_onednn" else "no"


def operator_rows() -> list[dict[str, Any]]:
    """One dict per operator: name, aliases (a list), dtypes, compute modes, cpu, cuda (text)."""
    rows = []
    for row in _runtime.operator_table():
        rows.append(
            {
                "operator": row["name"],
                "aliases": list(row["aliases"]),
                "dtypes": _dtype_text(row["dtypes"], row["identity"]),
                "compute modes": ", ".join(_MODES[m] for m in row["compute_modes"]),
                "cpu": _backend_text(row, "cpu_onednn"),
                "cuda": _backend_text(row, "cuda"),
            }
        )
    return rows


def render_markdown() -> str:
    lines = []
    for r in operator_rows():
        aliases = ", ".join(f"`{a}`" for a in r["aliases"]) or "–"
        modes = r["compute modes"] or "–"
        lines.append(
            f"| `{r['operator']}` | {aliases} | {r['dtypes']} | {modes} | {r['cpu']} | {r['cuda']} |\n"
        )
    return HEADER + "".join(lines)


def render_text() -> str:
    """The plain `mxserve ops` listing: one block per operator."""
    out = []
    for r in operator_rows():
        out.append(r["operator"] + (f" ({', '.join(r['aliases'])})" if r["aliases"] else ""))
        out.append(f"  dtypes: {r['dtypes']}")
        out.append(f"  compute modes: {r['compute modes'] or '-'}")
        out.append(f"  cpu: {r['cpu']}  cuda: {r['cuda']}")
    return "\n".join(out) + "\n"
