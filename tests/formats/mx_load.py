# SPDX-License-Identifier: Apache-2.0
"""Oracle script: loads every *.params file in DIR with mx.nd.load (MXNet 1.9.1) and writes
DIR/<file>.loaded.npz with the values (bfloat16 as its raw uint16 bits) and DIR/<file>.json
with the dtypes and whether the file came back as a list or a dict."""

import json
import pathlib
import sys

import mxnet as mx
import numpy as np

BF16 = np.dtype([("bfloat16", np.uint16)])

for path in sorted(pathlib.Path(sys.argv[1]).glob("*.params")):
    loaded = mx.nd.load(str(path))
    kind = "list" if isinstance(loaded, list) else "dict"
    items = list(enumerate(loaded)) if kind == "list" else list(loaded.items())
    values, dtypes = {}, {}
    for k, v in items:
        a = v.asnumpy()
        dtypes[str(k)] = "bfloat16" if a.dtype == BF16 else a.dtype.name
        values[str(k)] = a.view(np.uint16) if a.dtype == BF16 else a
    np.savez(str(path) + ".loaded.npz", **values)
    pathlib.Path(str(path) + ".json").write_text(json.dumps({"kind": kind, "dtypes": dtypes}))
