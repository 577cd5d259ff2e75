# SPDX-License-Identifier: Apache-2.0
"""One inference engine in its own process, timed on request, so that benchmarks can alternate
between engines in one run and read each one's load time and peak memory separately.

Usage: python peer_worker.py PEER MODEL_DIR BATCH THREADS [DTYPE]
PEER is one of
  mxserve      mxserve.Predictor on MODEL_DIR/model-{symbol.json,0000.params}
               (DTYPE float32|bfloat16)
  ort          ONNX Runtime (CPU provider) on MODEL_DIR/model-b{BATCH}.onnx
  mxnet_capi   MXNet's C predict API (MXPredCreate/MXPredForward from libmxnet.so, via ctypes)
  mxnet_gluon  MXNet Gluon SymbolBlock, hybridized with static_alloc/static_shape
Reads JSON lines on stdin and answers one JSON line each:
  {"cmd": "time", "n": N}       -> {"times_ms": [...]}
  {"cmd": "stats"}              -> {"load_ms": ..., "peak_rss_mb": ...}
  {"cmd": "output", "path": P}  -> writes the output for the fixed input to P (.npy), {"ok": true}
The input is fixed: uniform [-1, 1) with seed 0.
"""

import sys

import numpy as np
from worker_loop import serve


def input_shape(model_dir, batch):
    size = 299 if "inception" in model_dir else 224
    with open(model_dir + "/model-symbol.json") as f:
        if '"num_hidden"' in f.read() and "mlp" in model_dir:
            return (batch, 784)
    return (batch, 3, size, size)


class MXServe:
    def __init__(self, model_dir, shape, threads, dtype):
        import mxserve

        self.p = mxserve.Predictor.load(
            model_dir + "/model", 0, input_shapes={"data": shape}, num_threads=threads, dtype=dtype
        )
        self.x = np.random.RandomState(0).uniform(-1, 1, shape).astype(np.float32)

    def run(self):
        return self.p(data=self.x)[0]


class OnnxRuntime:
    def __init__(self, model_dir, shape, threads, dtype):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.s = ort.InferenceSession(
            f"{model_dir}/model-b{shape[0]}.onnx", opts, providers=["CPUExecutionProvider"]
        )
        self.name = self.s.get_inputs()[0].name
        self.x = np.random.RandomState(0).uniform(-1, 1, shape).astype(np.float32)

    def run(self):
        return self.s.run(None, {self.name: self.x})[0]


class MXNetCAPI:
    def __init__(self, model_dir, shape, threads, dtype):
        import ctypes

        import mxnet as mx

        self.ct = ctypes
        lib = ctypes.CDLL(mx.libinfo.find_lib_path()[0])
        lib.MXGetLastError.restype = ctypes.c_char_p
        self.lib = lib
        sym = open(model_dir + "/model-symbol.json", "rb").read()
        params = open(model_dir + "/model-0000.params", "rb").read()
        keys = (ctypes.c_char_p * 1)(b"data")
        indptr = (ctypes.c_uint32 * 2)(0, len(shape))
        sdata = (ctypes.c_uint32 * len(shape))(*shape)
        self.h = ctypes.c_void_p()
        self.check(
            lib.MXPredCreate(
                sym, params, len(params), 1, 0, 1, keys, indptr, sdata, ctypes.byref(self.h)
            )
        )
        self.x = np.random.RandomState(0).uniform(-1, 1, shape).astype(np.float32)
        sd = ctypes.POINTER(ctypes.c_uint32)()
        nd = ctypes.c_uint32()
        self.check(lib.MXPredGetOutputShape(self.h, 0, ctypes.byref(sd), ctypes.byref(nd)))
        self.out = np.empty(tuple(sd[i] for i in range(nd.value)), np.float32)

    def check(self, rc):
        if rc != 0:
            raise RuntimeError(self.lib.MXGetLastError().decode())

    def run(self):
        fp = self.ct.POINTER(self.ct.c_float)
        self.check(self.lib.MXPredSetInput(self.h, b"data", self.x.ctypes.data_as(fp), self.x.size))
        self.check(self.lib.MXPredForward(self.h))
        self.check(self.lib.MXPredGetOutput(self.h, 0, self.out.ctypes.data_as(fp), self.out.size))
        return self.out


class MXNetGluon:
    def __init__(self, model_dir, shape, threads, dtype):
        import warnings

        import mxnet as mx

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.net = mx.gluon.SymbolBlock.imports(
                model_dir + "/model-symbol.json", ["data"], model_dir + "/model-0000.params"
            )
        self.net.hybridize(static_alloc=True, static_shape=True)
        self.x = mx.nd.array(np.random.RandomState(0).uniform(-1, 1, shape).astype(np.float32))

    def run(self):
        return self.net(self.x).asnumpy()


PEERS = {"mxserve": MXServe, "ort": OnnxRuntime, "mxnet_capi": MXNetCAPI, "mxnet_gluon": MXNetGluon}


def main():
    peer, model_dir, batch, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    dtype = sys.argv[5] if len(sys.argv) > 5 else "float32"
    serve(lambda: PEERS[peer](model_dir, input_shape(model_dir, batch), threads, dtype))


if __name__ == "__main__":
    main()
