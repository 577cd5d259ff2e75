# SPDX-License-Identifier: Apache-2.0
"""A short run of every fuzz target on its seed corpus (fuzz/make_corpus.py): a few thousand
inputs or a few seconds each. Long runs: `python fuzz/run.py TARGET -max_total_time=SECONDS`
(docs/reliability.md)."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _load(name: str) -> object:
    spec = importlib.util.spec_from_file_location(f"_fuzz_{name}", REPO / "fuzz" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


run = _load("run")
make_corpus = _load("make_corpus")
toolchain = _load("toolchain")

SHORT = ["-runs=3000", "-max_total_time=8"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("fuzz") / "corpus"
    make_corpus.make(root)
    return root


def _check(target: str, corpus: pathlib.Path) -> None:
    seeds = len(list((corpus / target).iterdir()))
    proc, executed = run.run(target, SHORT, corpus, timeout=600)
    assert proc.returncode == 0, proc.stderr[-6000:]
    assert executed >= seeds, proc.stderr[-2000:]  # at least the whole corpus ran


@pytest.mark.parametrize("target", sorted(run.ATHERIS))
def test_atheris_target_short_run(target: str, corpus: pathlib.Path) -> None:
    _check(target, corpus)


@pytest.fixture(scope="module")
def libfuzzer_build() -> None:
    """Builds the libFuzzer targets (the `fuzz` preset: clang, ASan + UBSan)."""
    problem = toolchain.clang_fuzz_problem()
    if problem:
        pytest.skip(problem)
    launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"] if shutil.which("ccache") else []
    env = {**os.environ, "CCACHE_BASEDIR": str(REPO.parent)}
    subprocess.run(
        ["cmake", "--preset", "fuzz", f"-DPython_EXECUTABLE={sys.executable}", *launcher],
        cwd=REPO, check=True, capture_output=True, env=env,
    )
    built = subprocess.run(
        ["cmake", "--build", "--preset", "fuzz", "--parallel", "2"],
        cwd=REPO, capture_output=True, text=True, env=env,
    )
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]


@pytest.mark.sanitize  # needs the clang ASan + UBSan build of the runtime (the `fuzz` preset)
@pytest.mark.parametrize("target", sorted(run.LIBFUZZER))
def test_libfuzzer_target_short_run(
    target: str, corpus: pathlib.Path, libfuzzer_build: None
) -> None:
    _check(target, corpus)
