# SPDX-License-Identifier: Apache-2.0
"""Runs one fuzz target on its corpus and prints how many inputs it executed.

    python fuzz/run.py TARGET [libFuzzer flags...]
    python fuzz/run.py ndlist -max_total_time=3600        # a long run
    python fuzz/run.py symbol -runs=5000                  # a short one

TARGET is one of fuzz/make_corpus.py's TARGETS: `pred_create` and `ndlist` are the libFuzzer
targets on the C API (built with `cmake --preset fuzz && cmake --build --preset fuzz`), the
others atheris targets in fuzz/python/. The corpus lives in build/fuzz-corpus/TARGET (made on
first use; new inputs that reach new code are added to it); crashes are written to
build/fuzz-findings/TARGET/.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
LIBFUZZER = {
    "pred_create": "fuzz_pred_create",
    "ndlist": "fuzz_ndlist",
    "ndarray_file": "fuzz_ndarray_file",
}
ATHERIS = {
    "symbol": "fuzz_symbol.py",
    "params": "fuzz_params.py",
    "npz": "fuzz_npz.py",
    "v2_json": "fuzz_v2_json.py",
    "v2_binary": "fuzz_v2_binary.py",
    "mar": "fuzz_mar.py",
}
#: Flags every run gets: inputs up to 128 KiB (the digits params are 69 KB), a 20 s hang limit.
DEFAULT_FLAGS = ["-max_len=131072", "-timeout=20", "-rss_limit_mb=4096", "-print_final_stats=1"]


def command(
    target: str, flags: list[str], corpus: pathlib.Path, findings: pathlib.Path
) -> list[str]:
    """The command line that fuzzes `target` (an atheris script or a libFuzzer binary)."""
    common = [*DEFAULT_FLAGS, f"-artifact_prefix={findings}/", *flags, str(corpus)]
    if target in LIBFUZZER:
        exe = REPO / "build" / "fuzz" / "fuzz" / LIBFUZZER[target]
        if not exe.exists():
            raise SystemExit(
                f"{exe} is not built: cmake --preset fuzz && cmake --build --preset fuzz"
            )
        return [str(exe), *common]
    if target in ATHERIS:
        return [sys.executable, str(HERE / "python" / ATHERIS[target]), *common]
    raise SystemExit(f"unknown target '{target}' (one of {', '.join([*LIBFUZZER, *ATHERIS])})")


def executions(output: str) -> int:
    """Inputs run, from libFuzzer's final statistics (or its last status line)."""
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
    if m:
        return int(m.group(1))
    found = re.findall(r"^#(\d+)\s", output, re.M)
    return int(found[-1]) if found else 0


def run(
    target: str,
    flags: list[str],
    corpus_root: pathlib.Path | None = None,
    **kw: object,
) -> tuple[subprocess.CompletedProcess[str], int]:
    """Runs `target` to completion; returns the process and its execution count."""
    root = corpus_root or REPO / "build" / "fuzz-corpus"
    if not (root / target).is_dir():
        sys.path.insert(0, str(HERE))
        import make_corpus

        make_corpus.make(root)
    findings = root.parent / "fuzz-findings" / target
    findings.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        command(target, flags, root / target, findings),
        capture_output=True,
        text=True,
        env=env,
        cwd=str(findings),
        **kw,
    )
    return proc, executions(proc.stderr)


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    proc, n = run(sys.argv[1], sys.argv[2:])
    sys.stderr.write(proc.stderr[-4000:])
    print(f"{sys.argv[1]}: {n} executions, exit status {proc.returncode}")
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
