# SPDX-License-Identifier: Apache-2.0
"""Whether this machine's clang builds the libFuzzer targets: clang++ with libFuzzer, ASan and
OpenMP (clang's libomp is a package of its own, `libomp-dev` on Debian). `.ci/sanitize` picks
the `fuzz` preset by it, and tests/fuzz skips the libFuzzer runs without it.

    python fuzz/toolchain.py     # exit status 0 when clang can build them, else 1 and the reason
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def clang_fuzz_problem() -> str | None:
    """None when clang++ builds an OpenMP program with libFuzzer's and ASan's instrumentation,
    else what is missing."""
    if shutil.which("clang++") is None:
        return "clang++ is not installed"
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "probe.cc"
        src.write_text("int main() { return 0; }\n")
        flags = ["-fopenmp", "-fsanitize=fuzzer-no-link,address"]
        built = subprocess.run(
            ["clang++", *flags, str(src), "-o", str(Path(d) / "probe")],
            capture_output=True, text=True,
        )
    if built.returncode != 0:
        lines = built.stderr.strip().splitlines() or ["no output"]
        why = next((ln for ln in lines if "cannot find" in ln or "error" in ln), lines[-1])
        return f"clang++ {' '.join(flags)} fails: {why.strip()}"
    return None


if __name__ == "__main__":
    problem = clang_fuzz_problem()
    if problem:
        print(problem)
    sys.exit(1 if problem else 0)
