# SPDX-License-Identifier: Apache-2.0
"""What the wheel gives C/C++ users: library and header paths, ``mxserve-config`` flags, the
pkg-config file and the CMake package config, each used to build and run the C example."""

from __future__ import annotations

import os
import pathlib
import shlex
import shutil
import subprocess
import sys

import pytest

from c_api import _capi
from mxserve import predict_api

EXAMPLE = _capi.REPO / "predict_api" / "examples" / "image_classification.c"


def _run_example(exe: pathlib.Path, folder: pathlib.Path) -> None:
    (prob,) = _capi.write_classifier(folder, 1)
    proc = _capi.run(
        [
            str(exe),
            str(folder / "model-symbol.json"),
            str(folder / "model-0000.params"),
            str(folder / "mean.nd"),
            str(folder / "img0.rgb"),
            "6",
            "8",
            "1",
        ]
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.split()[1]) == int(prob.argmax())


def test_paths_are_absolute_and_exist() -> None:
    lib = predict_api.library_path()
    inc = predict_api.include_dir()
    assert lib.is_absolute() and lib.name == predict_api.SONAME and lib.is_file()
    assert inc.is_absolute() and (inc / "mxnet" / "c_predict_api.h").is_file()
    assert (inc / "mxnet" / "c_ndarray_api.h").is_file()
    assert (predict_api.pkgconfig_dir() / "mxnet_predict.pc").is_file()
    assert (predict_api.cmake_dir() / "mxnet_predict" / "mxnet_predict-config.cmake").is_file()


def test_library_needs_no_library_path() -> None:
    if shutil.which("ldd") is None:
        pytest.skip("ldd is not installed")
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    out = subprocess.run(
        ["ldd", str(predict_api.library_path())],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert "not found" not in out
    assert "libdnnl.so.3" in out


def test_mxserve_config_flags(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert predict_api.main(["--cflags", "--libs"]) == 0
    flags = capsys.readouterr().out.split()
    assert f"-I{predict_api.include_dir()}" in flags
    assert "-lmxnet_predict" in flags
    # The same through the command line (run away from the checkout, whose mxserve/ would
    # shadow the installed one), then used to build the example.
    out = subprocess.run(
        [sys.executable, "-m", "mxserve.predict_api", "--cflags", "--libs"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    exe = tmp_path / "example"
    cmd = [_capi.compiler(), "-std=c99", "-Werror", str(EXAMPLE), *shlex.split(out), "-o", str(exe)]
    subprocess.run(cmd, check=True)
    _run_example(exe, tmp_path)


def test_mxserve_config_without_options_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert predict_api.main([]) == 2
    assert "usage: mxserve-config" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("pkg-config") is None, reason="pkg-config is not installed")
def test_pkg_config(tmp_path: pathlib.Path) -> None:
    env = {**os.environ, "PKG_CONFIG_PATH": str(predict_api.pkgconfig_dir())}
    out = subprocess.run(
        ["pkg-config", "--cflags", "--libs", "mxnet_predict"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    exe = tmp_path / "example"
    cmd = [_capi.compiler(), "-std=c99", "-Werror", str(EXAMPLE), *shlex.split(out), "-o", str(exe)]
    subprocess.run(cmd, check=True)
    _run_example(exe, tmp_path)


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake is not installed")
def test_cmake_find_package(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(EXAMPLE, src / "main.c")
    (src / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.16)\n"
        "project(example C)\n"
        "find_package(mxnet_predict REQUIRED)\n"
        "add_executable(example main.c)\n"
        "target_link_libraries(example PRIVATE mxnet_predict::mxnet_predict)\n"
    )
    build = tmp_path / "build"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMAKE_")}
    subprocess.run(
        [
            "cmake",
            "-S",
            str(src),
            "-B",
            str(build),
            f"-DCMAKE_PREFIX_PATH={predict_api.cmake_dir()}",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    subprocess.run(["cmake", "--build", str(build)], check=True, capture_output=True, env=env)
    _run_example(build / "example", tmp_path)


def test_mxserve_config_console_script() -> None:
    script = pathlib.Path(sys.executable).parent / "mxserve-config"
    if not script.exists():
        pytest.skip("mxserve is not installed in this environment (source checkout)")
    out = subprocess.run([str(script), "--libs"], capture_output=True, text=True, check=True).stdout
    assert f"-L{predict_api.library_path().parent}" in out.split()
