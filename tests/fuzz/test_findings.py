# SPDX-License-Identifier: Apache-2.0
"""Regression tests of what the fuzz targets found (docs/reliability.md, "Fuzzing")."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from mxserve.errors import InvalidArgumentError
from mxserve.server.mar import read_mar


def test_mar_member_without_a_name_is_a_clean_error(tmp_path: Path) -> None:
    """fuzz_mar: a zip entry whose name is empty made zipfile's ZipInfo.is_dir raise IndexError
    inside read_mar (a load failure reading "IndexError: string index out of range")."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("MAR-INF/MANIFEST.json", json.dumps({"model": {"modelName": "m"}}))
        z.writestr(zipfile.ZipInfo(""), b"x")
    path = tmp_path / "m.mar"
    path.write_bytes(buf.getvalue())
    with pytest.raises(InvalidArgumentError, match="a member without a name"):
        read_mar(path)
