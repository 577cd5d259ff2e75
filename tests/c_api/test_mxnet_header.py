# SPDX-License-Identifier: Apache-2.0
"""Our c_predict_api.h against MXNet 1.9.1's own (shipped in the mxnet wheel of the oracle
environment): the same declarations, and a program compiled with MXNet's header links against
libmxnet_predict and runs."""

from __future__ import annotations

import functools
import pathlib
import re
import subprocess

import numpy as np
from oracle.envs import oracle_python

from c_api import _capi
from mxserve import predict_api


@functools.cache
def mxnet_include() -> pathlib.Path:
    code = (
        "import importlib.util, os; s = importlib.util.find_spec('mxnet'); "
        "print(os.path.join(list(s.submodule_search_locations)[0], 'include'))"
    )
    out = subprocess.run(
        [str(oracle_python("1.9.1")), "-c", code], capture_output=True, text=True, check=True
    )
    return pathlib.Path(out.stdout.strip())


def declarations(header: pathlib.Path) -> list[str]:
    text = re.sub(r"/\*.*?\*/", "", header.read_text(), flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    decls = re.findall(r"MXNET_DLL\s[^;#]*?\bMX\w+\s*\([^;#]*\);", text)
    return [re.sub(r"\s+", " ", d).replace("( ", "(").replace(" )", ")") for d in decls]


def test_declarations_equal_mxnet_191() -> None:
    theirs = declarations(mxnet_include() / "mxnet" / "c_predict_api.h")
    ours = declarations(predict_api.include_dir() / "mxnet" / "c_predict_api.h")
    assert len(theirs) == 17
    assert ours == theirs


def test_accessor_declarations_match_mxnet_c_api() -> None:
    theirs = {
        d.split("(")[0].split()[-1]: d for d in declarations(mxnet_include() / "mxnet" / "c_api.h")
    }
    ours = declarations(predict_api.include_dir() / "mxnet" / "c_ndarray_api.h")
    assert len(ours) == 9
    for d in ours:
        name = d.split("(")[0].split()[-1]

        # Same types in the same order; parameter names and spacing may differ.
        def types(decl: str) -> list[str]:
            params = decl[decl.index("(") + 1 : decl.rindex(")")].split(",")
            return [" ".join(p.replace("*", " * ").split()[:-1]) for p in params]

        assert types(d) == types(theirs[name]), name
        assert d.split("(")[0] == theirs[name].split("(")[0], name


def test_example_built_with_mxnet_header_runs_on_our_library(tmp_path: pathlib.Path) -> None:
    (prob,) = _capi.write_classifier(tmp_path, 1)
    exe = tmp_path / "example"
    lib = predict_api.library_path().parent
    # MXNet's header needs <stdint.h> and <stdbool.h> included first in C (an upstream quirk).
    cmd = [
        _capi.compiler(),
        "-std=c99",
        "-include",
        "stdint.h",
        "-include",
        "stdbool.h",
        f"-I{mxnet_include()}",
        str(_capi.REPO / "predict_api" / "examples" / "image_classification.c"),
        "-o",
        str(exe),
        f"-L{lib}",
        f"-Wl,-rpath,{lib}",
        "-lmxnet_predict",
    ]
    subprocess.run(cmd, check=True)
    proc = _capi.run(
        [
            str(exe),
            str(tmp_path / "model-symbol.json"),
            str(tmp_path / "model-0000.params"),
            str(tmp_path / "mean.nd"),
            str(tmp_path / "img0.rgb"),
            "6",
            "8",
            "1",
        ]
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.split()[1]) == int(np.argmax(prob))
