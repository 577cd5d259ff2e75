# SPDX-License-Identifier: Apache-2.0
"""Runs inside the MXNet 1.9.1 oracle environment and times MXNet on request, so that a benchmark
can alternate between mxserve and MXNet in one run.

Usage: python mx_worker.py PREFIX INPUT_SHAPE_JSON
Reads JSON commands on stdin, one per line: {"path": "capi"|"gluon", "n": N, "batch": B}; answers
one JSON line: {"times_ms": [...]}. "capi" is libmxnet.so's MXPredCreate/MXPredForward through
ctypes (the C predict API); "gluon" is SymbolBlock.imports + hybridize(static_alloc, static_shape).
"""

import ctypes
import json
import sys
import time

import mxnet as mx
import numpy as np


class CPredictor:
    def __init__(self, prefix, shape):
        lib = ctypes.CDLL(mx.libinfo.find_lib_path()[0])
        lib.MXGetLastError.restype = ctypes.c_char_p
        self.lib = lib
        sym = open(prefix + "-symbol.json", "rb").read()
        params = open(prefix + "-0000.params", "rb").read()
        keys = (ctypes.c_char_p * 1)(b"data")
        indptr = (ctypes.c_uint32 * 2)(0, len(shape))
        sdata = (ctypes.c_uint32 * len(shape))(*shape)
        self.handle = ctypes.c_void_p()
        self.check(lib.MXPredCreate(ctypes.c_char_p(sym), ctypes.c_char_p(params), ctypes.c_int(len(params)),
                                    ctypes.c_int(1), ctypes.c_int(0), ctypes.c_uint32(1), keys, indptr, sdata,
                                    ctypes.byref(self.handle)))
        self.x = np.random.RandomState(0).uniform(-1, 1, shape).astype(np.float32)
        shape_data = ctypes.POINTER(ctypes.c_uint32)()
        ndim = ctypes.c_uint32()
        self.check(lib.MXPredGetOutputShape(self.handle, ctypes.c_uint32(0), ctypes.byref(shape_data), ctypes.byref(ndim)))
        self.out = np.empty(tuple(shape_data[i] for i in range(ndim.value)), np.float32)

    def check(self, rc):
        if rc != 0:
            raise RuntimeError(self.lib.MXGetLastError().decode())

    def run(self):
        lib = self.lib
        self.check(lib.MXPredSetInput(self.handle, b"data", self.x.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                                      ctypes.c_uint32(self.x.size)))
        self.check(lib.MXPredForward(self.handle))
        self.check(lib.MXPredGetOutput(self.handle, ctypes.c_uint32(0),
                                       self.out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                                       ctypes.c_uint32(self.out.size)))


class GluonPredictor:
    def __init__(self, prefix, shape):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.net = mx.gluon.SymbolBlock.imports(prefix + "-symbol.json", ["data"], prefix + "-0000.params")
        self.net.hybridize(static_alloc=True, static_shape=True)
        self.x = mx.nd.array(np.random.RandomState(0).uniform(-1, 1, shape).astype(np.float32))

    def run(self):
        self.net(self.x).wait_to_read()


def main():
    prefix, shape = sys.argv[1], tuple(json.loads(sys.argv[2]))
    runners = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        key = (cmd["path"], cmd.get("batch", shape[0]))
        if key not in runners:
            s = (key[1],) + shape[1:]
            runners[key] = CPredictor(prefix, s) if cmd["path"] == "capi" else GluonPredictor(prefix, s)
            for _ in range(3):
                runners[key].run()
        times = []
        for _ in range(cmd["n"]):
            t0 = time.perf_counter()
            runners[key].run()
            times.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"times_ms": times}), flush=True)


if __name__ == "__main__":
    main()
