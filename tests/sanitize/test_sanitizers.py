# SPDX-License-Identifier: Apache-2.0
"""The C++ tests (tests/cpp, with the threaded Predictor test) and the C API test client
(tests/c_api/test_c_predict_api.c) built and run under the sanitizer presets of CMakePresets.json:
`asan` (AddressSanitizer + UndefinedBehaviorSanitizer, leaks included) and `tsan`
(ThreadSanitizer). Any report fails the test (halt_on_error, no recovery from UB).

    pytest -m sanitize tests/sanitize            # both presets, every C API group
    MXSERVE_SANITIZE_PRESETS=fuzz pytest -m sanitize tests/sanitize   # clang ASan+UBSan (.ci/run)

Each preset builds the runtime from scratch once (minutes; ccache makes rebuilds cheap) in
build/PRESET. MXSERVE_SANITIZE_PRESETS (comma-separated, default asan,tsan) picks the presets;
`fuzz` is clang's ASan + UBSan build that also holds the libFuzzer targets, so one build serves
the C++ tests, the C API client and tests/fuzz."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest
from c_api import _capi

pytestmark = pytest.mark.sanitize

REPO = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
SANITIZE = {"asan": "address,undefined", "tsan": "thread", "fuzz": "address,undefined"}
PRESETS = os.environ.get("MXSERVE_SANITIZE_PRESETS", "asan,tsan").split(",")
assert set(PRESETS) <= set(SANITIZE), f"MXSERVE_SANITIZE_PRESETS: one of {sorted(SANITIZE)}"
GROUPS = ["predict", "reshape", "ndlist", "multithread", "one_handle_threads", "create_errors"]


def sanitizer_env(preset: str) -> dict[str, str]:
    """Options that turn every report into a failing exit status."""
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    env["OMP_NUM_THREADS"] = "1"  # libgomp is not instrumented: its own threads stay out
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:exitcode=23"
    env["LSAN_OPTIONS"] = f"suppressions={HERE / 'lsan.supp'}:print_suppressions=0"
    env["TSAN_OPTIONS"] = (
        f"halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions={HERE / 'tsan.supp'}"
    )
    return env


@pytest.fixture(scope="module", params=sorted(PRESETS))
def sanitized(request: pytest.FixtureRequest) -> tuple[str, pathlib.Path]:
    """(preset, build directory) with the core, tests/cpp and libmxnet_predict built."""
    if shutil.which("cmake") is None or shutil.which("ninja") is None:
        pytest.skip("cmake and ninja are needed (pip install '.[test]')")
    preset = request.param
    build = REPO / "build" / preset
    launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"] if shutil.which("ccache") else []
    env = {**os.environ, "CCACHE_BASEDIR": str(REPO.parent)}
    configured = subprocess.run(
        ["cmake", "--preset", preset, f"-DPython_EXECUTABLE={sys.executable}", *launcher],
        cwd=REPO, capture_output=True, text=True, env=env,
    )
    assert configured.returncode == 0, configured.stdout[-3000:] + configured.stderr[-3000:]
    built = subprocess.run(
        ["cmake", "--build", "--preset", preset, "--parallel", "2"],
        cwd=REPO, capture_output=True, text=True, env=env,
    )
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    return preset, build


def test_cpp_suite(sanitized: tuple[str, pathlib.Path]) -> None:
    preset, build = sanitized
    ran = subprocess.run(
        ["ctest", "--test-dir", str(build), "--output-on-failure"],
        capture_output=True, text=True, env=sanitizer_env(preset), timeout=1800,
    )
    assert ran.returncode == 0, ran.stdout[-6000:]
    assert "tests passed" in ran.stdout and "test_threaded_predictor" in ran.stdout


def c_compiler(build: pathlib.Path) -> str:
    """The C compiler the preset built with: the client must link the same sanitizer runtime."""
    for line in (build / "CMakeCache.txt").read_text().splitlines():
        if line.startswith("CMAKE_C_COMPILER:"):
            found = shutil.which(line.split("=", 1)[1])
            if found:
                return found
    return _capi.compiler("c")


@pytest.fixture(scope="module")
def mlp_folder(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    folder = tmp_path_factory.mktemp("mlp")
    _capi.write_mlp(folder)
    return folder


@pytest.mark.parametrize("group", GROUPS)
def test_c_api_client(
    group: str,
    sanitized: tuple[str, pathlib.Path],
    mlp_folder: pathlib.Path,
    tmp_path: pathlib.Path,
) -> None:
    """test_c_predict_api.c, itself built with the sanitizer, against the sanitized library."""
    preset, build = sanitized
    lib = build / "predict_api"
    exe = tmp_path / "test_c_predict_api"
    cc = c_compiler(build)
    # The library is C++: a C program that loads it links clang's C++ sanitizer runtime too
    # (UBSan's vptr checks live there); gcc's shared libubsan holds both.
    clang = "clang" in pathlib.Path(cc).name
    cxx_runtime = ["-fsanitize-link-c++-runtime", "-lstdc++"] if clang else []
    cmd = [
        cc, "-std=c99", "-g", f"-fsanitize={SANITIZE[preset]}", *cxx_runtime,
        "-fno-omit-frame-pointer", f"-I{REPO / 'predict_api' / 'include'}",
        str(REPO / "tests" / "c_api" / "test_c_predict_api.c"), "-o", str(exe),
        f"-L{lib}", f"-Wl,-rpath,{lib}", "-lmxnet_predict", "-lpthread", "-lm",
    ]
    compiled = subprocess.run(cmd, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr
    proc = subprocess.run(
        [str(exe), str(mlp_folder), group],
        capture_output=True, text=True, env=sanitizer_env(preset), timeout=1800,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    assert ", 0 failed" in proc.stdout
