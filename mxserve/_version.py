# SPDX-License-Identifier: Apache-2.0
"""The one place mxserve's version is written.

pyproject.toml reads it (scikit-build-core's regex metadata provider), CMakeLists.txt parses it
into ``project(VERSION)`` for the C library's soname and its CMake/pkg-config files, and
``mxserve.__version__`` and ``mxserve --version`` import it.
"""

__version__ = "0.1.0"
