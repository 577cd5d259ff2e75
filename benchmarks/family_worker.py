# SPDX-License-Identifier: Apache-2.0
"""One inference engine in its own process (the counterpart of peer_worker.py for the model
families of tests/oracle/recipes, same JSON-lines protocol): GluonNLP BERT-style exports whose
inputs are int32 token ids (and token types) and a float32 valid length, or image models with
one float32 input.

Usage: python family_worker.py PEER MODEL_DIR BATCH THREADS DTYPE SIZE NUM_INPUTS
SIZE is the sequence length, or the image side when NUM_INPUTS is 0 (one (BATCH, 3, SIZE, SIZE)
float32 input "data", uniform in [-1, 1)).
PEER is mxserve (DTYPE float32|bfloat16), ort (MODEL_DIR/model-b{BATCH}.onnx) or mxnet_capi
(MXNet 1.9.1's MXPredCreateEx / MXPredForward via ctypes). The inputs are fixed (seed 0): random
ids below 30522, random types, full valid lengths.
"""

import sys

import numpy as np
from worker_loop import serve


def make_inputs(batch, seq, num_inputs):
    rng = np.random.RandomState(0)
    if num_inputs == 0:
        return [rng.uniform(-1, 1, (batch, 3, seq, seq)).astype(np.float32)]
    xs = [rng.randint(0, 30522, (batch, seq)).astype(np.int32)]
    if num_inputs == 3:
        xs.append(rng.randint(0, 2, (batch, seq)).astype(np.int32))
    xs.append(np.full((batch,), seq, np.float32))
    return xs


def names_of(num_inputs):
    # Gluon's export names one input "data", several "data0", "data1", ...
    return ["data"] if num_inputs == 1 else [f"data{i}" for i in range(num_inputs)]


class MXServe:
    def __init__(self, model_dir, xs, threads, dtype):
        import mxserve

        names = names_of(len(xs))
        self.x = dict(zip(names, xs))
        self.p = mxserve.Predictor.load(
            model_dir + "/model",
            0,
            input_shapes={k: v.shape for k, v in self.x.items()},
            dtypes={k: v.dtype for k, v in self.x.items()},
            num_threads=threads,
            dtype=dtype,
        )

    def run(self):
        return self.p(**self.x)[0]


class OnnxRuntime:
    def __init__(self, model_dir, xs, threads, dtype):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3  # the exporter leaves unused initializers ORT warns about
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.s = ort.InferenceSession(
            f"{model_dir}/model-b{xs[0].shape[0]}.onnx", opts, providers=["CPUExecutionProvider"]
        )
        self.x = {i.name: x for i, x in zip(self.s.get_inputs(), xs)}

    def run(self):
        return self.s.run(None, self.x)[0]


class MXNetCAPI:
    def __init__(self, model_dir, xs, threads, dtype):
        import ctypes

        import mxnet as mx

        self.ct = ctypes
        lib = ctypes.CDLL(mx.libinfo.find_lib_path()[0])
        lib.MXGetLastError.restype = ctypes.c_char_p
        self.lib = lib
        u32 = ctypes.c_uint32
        sym = open(model_dir + "/model-symbol.json", "rb").read()
        params = open(model_dir + "/model-0000.params", "rb").read()
        self.names = [n.encode() for n in names_of(len(xs))]
        self.xs = [np.ascontiguousarray(x) for x in xs]
        keys = (ctypes.c_char_p * len(xs))(*self.names)
        indptr, dims = [0], []
        for x in xs:
            dims += x.shape
            indptr.append(len(dims))
        flags = {np.dtype(np.float32): 0, np.dtype(np.int32): 4}
        types = (ctypes.c_int * len(xs))(*[flags[x.dtype] for x in xs])
        self.h = ctypes.c_void_p()
        self.check(
            lib.MXPredCreateEx(
                sym,
                params,
                len(params),
                1,
                0,
                u32(len(xs)),
                keys,
                (u32 * len(indptr))(*indptr),
                (u32 * len(dims))(*dims),
                u32(len(xs)),
                keys,
                types,
                ctypes.byref(self.h),
            )
        )
        sd = ctypes.POINTER(u32)()
        nd = u32()
        self.check(lib.MXPredGetOutputShape(self.h, 0, ctypes.byref(sd), ctypes.byref(nd)))
        self.out = np.empty(tuple(sd[i] for i in range(nd.value)), np.float32)

    def check(self, rc):
        if rc != 0:
            raise RuntimeError(self.lib.MXGetLastError().decode())

    def run(self):
        fp = self.ct.POINTER(self.ct.c_float)
        for n, x in zip(self.names, self.xs):
            self.check(self.lib.MXPredSetInput(self.h, n, x.ctypes.data_as(fp), x.size))
        self.check(self.lib.MXPredForward(self.h))
        self.check(self.lib.MXPredGetOutput(self.h, 0, self.out.ctypes.data_as(fp), self.out.size))
        return self.out


PEERS = {"mxserve": MXServe, "ort": OnnxRuntime, "mxnet_capi": MXNetCAPI}


def main():
    peer, model_dir, batch, threads, dtype = sys.argv[1:6]
    seq, num_inputs = int(sys.argv[6]), int(sys.argv[7])
    xs = make_inputs(int(batch), seq, num_inputs)
    serve(lambda: PEERS[peer](model_dir, xs, int(threads), dtype), warmup=2)


if __name__ == "__main__":
    main()
