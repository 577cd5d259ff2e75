# SPDX-License-Identifier: Apache-2.0
"""Packaging of the installed mxserve: the LICENSE in the sdist and the wheel metadata, one
version everywhere (Python, CLI, pkg-config, CMake), the C library's soname and its unversioned
development name, and ``find_package(mxnet_predict 0.1)``."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile

import pytest

import mxserve
from mxserve import predict_api

REPO = pathlib.Path(__file__).resolve().parents[2]
#: MD5 of the Apache License 2.0 text as apache.org publishes it (LICENSE-2.0.txt).
APACHE_2_MD5 = "3b83ef96387f14655fc854ddc3c6bd57"


def _dynamic(path: pathlib.Path) -> dict[str, str]:
    """The dynamic section of an ELF file: NEEDED entries joined by spaces, SONAME, RUNPATH."""
    out = subprocess.run(
        ["readelf", "-d", str(path)], capture_output=True, text=True, check=True
    ).stdout
    fields: dict[str, list[str]] = {}
    for m in re.finditer(r"\((NEEDED|SONAME|RUNPATH|RPATH)\)\s+[^\[]*\[([^\]]*)\]", out):
        fields.setdefault(m.group(1), []).append(m.group(2))
    return {k: " ".join(v) for k, v in fields.items()}


def test_license_is_the_apache_2_text() -> None:
    text = (REPO / "LICENSE").read_bytes()
    assert hashlib.md5(text).hexdigest() == APACHE_2_MD5


def test_wheel_metadata_names_the_license() -> None:
    dist = importlib.metadata.distribution("mxserve")
    assert dist.metadata["License-Expression"] == "Apache-2.0"
    assert dist.metadata.get_all("License-File") == ["LICENSE"]
    files = [str(f) for f in dist.files or []]
    licence = next((f for f in files if f.endswith("licenses/LICENSE")), None)
    assert licence is not None, f"no licenses/LICENSE in the installed dist-info: {files}"
    located = pathlib.Path(str(dist.locate_file(licence)))
    assert hashlib.md5(located.read_bytes()).hexdigest() == APACHE_2_MD5


def test_sdist_carries_the_license(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("scikit_build_core")
    # The build backend's own hook: writes the sdist without compiling anything.
    code = "import sys, scikit_build_core.build as b; print(b.build_sdist(sys.argv[1]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    name = proc.stdout.strip().splitlines()[-1]
    assert name == f"mxserve-{mxserve.__version__}.tar.gz"
    with tarfile.open(tmp_path / name) as tar:
        members = {m.name: m for m in tar.getmembers()}
        root = f"mxserve-{mxserve.__version__}"
        assert f"{root}/LICENSE" in members
        data = tar.extractfile(members[f"{root}/LICENSE"])
        assert data is not None
        assert hashlib.md5(data.read()).hexdigest() == APACHE_2_MD5
        pkg_info = tar.extractfile(members[f"{root}/PKG-INFO"])
        assert pkg_info is not None
        text = pkg_info.read().decode()
    assert "License-Expression: Apache-2.0" in text
    assert "License-File: LICENSE" in text
    assert f"Version: {mxserve.__version__}" in text


def test_one_version_everywhere() -> None:
    version = mxserve.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert importlib.metadata.version("mxserve") == version
    out = subprocess.run(
        [sys.executable, "-m", "mxserve", "--version"],
        capture_output=True,
        text=True,
        check=True,
        cwd=pathlib.Path(mxserve.__file__).parent.parent,
    ).stdout
    assert out.strip() == f"mxserve {version}"
    pc = (predict_api.pkgconfig_dir() / "mxnet_predict.pc").read_text()
    assert f"\nVersion: {version}\n" in pc
    config = predict_api.cmake_dir() / "mxnet_predict"
    assert (
        f"set(mxnet_predict_VERSION {version})"
        in (config / "mxnet_predict-config.cmake").read_text()
    )
    assert (
        f'set(PACKAGE_VERSION "{version}")'
        in (config / "mxnet_predict-config-version.cmake").read_text()
    )


@pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf (binutils) is not installed")
def test_library_soname_and_unversioned_name(tmp_path: pathlib.Path) -> None:
    major = mxserve.__version__.split(".")[0]
    lib = predict_api.library_path()
    assert lib.name == f"libmxnet_predict.so.{major}" == predict_api.SONAME
    assert _dynamic(lib)["SONAME"] == f"libmxnet_predict.so.{major}"
    # The development name: what -lmxnet_predict finds, pointing at the soname.
    dev = lib.parent / "libmxnet_predict.so"
    assert dev.read_text().strip() == f"INPUT(libmxnet_predict.so.{major})"
    # A program linked with -lmxnet_predict records the soname, and runs.
    src = tmp_path / "main.c"
    src.write_text(
        "#include <mxnet/c_predict_api.h>\n#include <stdio.h>\n"
        'int main(void) { printf("%s|", MXGetLastError()); return 0; }\n'
    )
    exe = tmp_path / "main"
    cc = os.environ.get("CC") or shutil.which("cc") or "cc"
    subprocess.run(
        [
            cc,
            str(src),
            f"-I{predict_api.include_dir()}",
            f"-L{lib.parent}",
            f"-Wl,-rpath,{lib.parent}",
            "-lmxnet_predict",
            "-o",
            str(exe),
        ],
        check=True,
    )
    needed = _dynamic(exe)["NEEDED"].split()
    assert f"libmxnet_predict.so.{major}" in needed and "libmxnet_predict.so" not in needed
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    assert subprocess.run([str(exe)], env=env, capture_output=True, text=True).stdout == "|"


def _configure(tmp_path: pathlib.Path, request: str) -> subprocess.CompletedProcess[str]:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.16)\n"
        "project(version_check C)\n"
        f"find_package(mxnet_predict {request} REQUIRED)\n"
        'message(STATUS "found mxnet_predict ${mxnet_predict_VERSION}")\n'
        "get_target_property(_loc mxnet_predict::mxnet_predict IMPORTED_LOCATION)\n"
        'message(STATUS "location ${_loc}")\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMAKE_")}
    build = tmp_path / f"build-{request.replace(' ', '_')}"
    return subprocess.run(
        [
            "cmake",
            "-S",
            str(src),
            "-B",
            str(build),
            f"-DCMAKE_PREFIX_PATH={predict_api.cmake_dir()}",
        ],
        capture_output=True,
        text=True,
        env=env,
    )


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake is not installed")
def test_cmake_find_package_with_version(tmp_path: pathlib.Path) -> None:
    major, minor, _ = mxserve.__version__.split(".")
    ok = _configure(tmp_path, f"{major}.{minor}")
    assert ok.returncode == 0, ok.stderr
    assert f"found mxnet_predict {mxserve.__version__}" in ok.stdout
    assert f"location {predict_api.library_path()}" in ok.stdout
    # Another major version is refused, as is a newer minor one.
    for request in (f"{int(major) + 1}.0", f"{major}.{int(minor) + 1}"):
        bad = _configure(tmp_path, request)
        assert bad.returncode != 0, request
        assert "mxnet_predict" in bad.stderr and mxserve.__version__ in bad.stderr
