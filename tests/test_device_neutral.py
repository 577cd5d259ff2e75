# SPDX-License-Identifier: Apache-2.0
"""exec/ and passes/ stay device-neutral: they reach a device only through the backend table and
the Backend interface, never a concrete backend, OpenMP or oneDNN."""

from __future__ import annotations

import pathlib
import re

RUNTIME = pathlib.Path(__file__).resolve().parents[1] / "runtime"

FORBIDDEN = {
    "a concrete backend": re.compile(r"\bCpuBackend\b|cpu_onednn/|backends/cuda/"),
    "OpenMP": re.compile(r"#include <omp\.h>|\bomp_[a-z_]+\s*\("),
    "oneDNN": re.compile(r"dnnl"),
}


def test_exec_and_passes_do_not_name_a_device() -> None:
    problems = []
    for folder in ("exec", "passes"):
        for path in sorted((RUNTIME / folder).glob("*.[ch]*")):
            text = path.read_text()
            for what, pattern in FORBIDDEN.items():
                for m in pattern.finditer(text):
                    line = text.count("\n", 0, m.start()) + 1
                    problems.append(f"{folder}/{path.name}:{line}: {what} ({m.group(0)!r})")
    assert not problems, "\n".join(problems)


def test_backend_table_is_generated_from_the_build() -> None:
    from mxserve import _runtime

    backends = dict(_runtime.backends())
    assert backends["cpu_onednn"] == "cpu"
    cmake = (RUNTIME / "CMakeLists.txt").read_text()
    assert "backend_registry.inc" in cmake
