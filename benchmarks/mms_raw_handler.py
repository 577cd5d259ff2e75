# SPDX-License-Identifier: Apache-2.0
"""The MMS 1.1.11 handler of benchmarks/bench_mms.py: runs inside an MMS Python worker (MXNet
1.9.1), takes each request's body as raw little-endian float32 values of one sample, runs the
batch MMS formed through the exported network (Gluon SymbolBlock, hybridized) and answers each
request with the same JSON as mxserve's MMS route, ``{"<output>": [[...]]}``.

The sample shape comes from ``sample_shape.json`` in the archive.
"""

import json
import os

import mxnet as mx
import numpy as np


class RawFloatService:
    def __init__(self):
        self.net = None
        self.sample = None
        self.output = None

    def initialize(self, context):
        model_dir = context.system_properties.get("model_dir")
        name = context.manifest["model"]["modelName"]
        with open(os.path.join(model_dir, "sample_shape.json")) as f:
            meta = json.load(f)
        self.sample = tuple(meta["sample"])
        self.output = meta["output"]
        self.net = mx.gluon.SymbolBlock.imports(
            os.path.join(model_dir, f"{name}-symbol.json"),
            ["data"],
            os.path.join(model_dir, f"{name}-0000.params"),
        )
        self.net.hybridize(static_alloc=True)

    def handle(self, data, context):
        rows = []
        for item in data:
            body = item.get("body") or item.get("data")
            rows.append(np.frombuffer(body, dtype="<f4").reshape(self.sample))
        out = self.net(mx.nd.array(np.stack(rows))).asnumpy()
        return [json.dumps({self.output: [row.tolist()]}) for row in out]


_service = RawFloatService()


def handle(data, context):
    if _service.net is None:
        _service.initialize(context)
    if data is None:
        return None
    return _service.handle(data, context)
