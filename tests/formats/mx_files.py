# SPDX-License-Identifier: Apache-2.0
"""Oracle script: writes parameter files with real MXNet and the values they hold.

Usage: python mx_files.py OUT_DIR. Runs under MXNet 1.9.1 or 2.0.0b1 (whichever interpreter
runs it). For every file F it writes OUT_DIR/F and OUT_DIR/F.expected.npz, the arrays as
MXNet itself reads them back (bfloat16 converted to float32 by MXNet), saved with numpy so the
test never relies on mxserve's reader for the expected values. Files that mxserve must reject
are listed in OUT_DIR/reject.json with the array name the error has to mention.
"""

import json
import os
import sys

import mxnet as mx
import numpy as np

OUT = sys.argv[1]
BF16 = np.dtype([("bfloat16", np.uint16)])
rng = np.random.default_rng(0)
reject = {}


def expected(fname, arrays):
    np.savez(os.path.join(OUT, fname + ".expected.npz"), **arrays)


def to_numpy(v):
    if v.dtype == BF16:
        return mx.nd.amp_cast(v, dtype="float32").asnumpy()
    return v.asnumpy()


def nd_dense():
    vals = {
        "arg:f32": rng.standard_normal((3, 4)).astype("float32"),
        "arg:f64": rng.standard_normal((5,)).astype("float64"),
        "arg:f16": rng.standard_normal((2, 1, 3)).astype("float16"),
        "aux:u8": rng.integers(0, 255, (7,)).astype("uint8"),
        "aux:i8": rng.integers(-128, 127, (2, 2)).astype("int8"),
        "i32": rng.integers(-1000, 1000, (1, 2, 3, 1)).astype("int32"),
        "i64": rng.integers(-(2**40), 2**40, (3,)).astype("int64"),
        "b": rng.integers(0, 2, (4,)).astype("bool"),
    }
    return vals


def main_19():
    vals = nd_dense()
    arrays = {k: mx.nd.array(v, dtype=v.dtype) for k, v in vals.items()}
    arrays["arg:bf16"] = mx.nd.amp_cast(mx.nd.array(rng.standard_normal((2, 3))), dtype=BF16)
    mx.nd.save(os.path.join(OUT, "nd_dense.params"), arrays)
    back = mx.nd.load(os.path.join(OUT, "nd_dense.params"))
    expected("nd_dense.params", {k: to_numpy(v) for k, v in back.items()})

    lst = [mx.nd.array(rng.standard_normal((2,))), mx.nd.array([1, 2, 3], dtype="int32")]
    mx.nd.save(os.path.join(OUT, "nd_list.params"), lst)
    expected(
        "nd_list.params",
        {
            str(i): v.asnumpy()
            for i, v in enumerate(mx.nd.load(os.path.join(OUT, "nd_list.params")))
        },
    )

    # A Module-style checkpoint of a small model.
    data = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data, num_hidden=4, name="fc1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    mod_args = {
        "fc1_weight": mx.nd.array(rng.standard_normal((4, 3))),
        "fc1_bias": mx.nd.array(rng.standard_normal((4,))),
    }
    mx.model.save_checkpoint(os.path.join(OUT, "fc"), 0, net, mod_args, {})
    expected(
        "fc-0000.params",
        {k: v.asnumpy() for k, v in mx.nd.load(os.path.join(OUT, "fc-0000.params")).items()},
    )

    # numpy shape semantics: V3 headers, scalars and zero-size arrays.
    with mx.util.np_shape(True), mx.util.np_array(True):
        v3 = {
            "scalar": mx.np.array(2.5),
            "zero": mx.np.zeros((0, 3)),
            "a": mx.np.array(rng.standard_normal((2, 2))),
        }
        mx.npx.save(os.path.join(OUT, "v3.params"), v3)
        back = mx.npx.load(os.path.join(OUT, "v3.params"))
        expected("v3.params", {k: v.asnumpy() for k, v in back.items()})

    rs = mx.nd.sparse.row_sparse_array((np.ones((1, 3), "f4"), [1]), shape=(4, 3))
    cs = mx.nd.sparse.csr_matrix(
        (np.array([1.0, 2.0], "f4"), np.array([0, 2]), np.array([0, 1, 2])), shape=(2, 3)
    )
    mx.nd.save(
        os.path.join(OUT, "sparse_rs.params"), {"arg:dense": mx.nd.ones((2,)), "arg:emb_weight": rs}
    )
    reject["sparse_rs.params"] = ["emb_weight", "row_sparse"]
    mx.nd.save(os.path.join(OUT, "sparse_csr.params"), {"arg:csr_w": cs})
    reject["sparse_csr.params"] = ["csr_w", "csr"]


def main_20():
    from mxnet.gluon import nn

    mx.npx.set_np()
    net = nn.HybridSequential()
    net.add(nn.Dense(4, in_units=3), nn.BatchNorm(in_channels=4), nn.Dense(2, in_units=4))
    net.initialize(mx.init.Normal(1.0))
    net.save_parameters(os.path.join(OUT, "gluon.params"))
    expected(
        "gluon.params",
        {k: v.asnumpy() for k, v in mx.npx.load(os.path.join(OUT, "gluon.params")).items()},
    )
    net.hybridize()
    net(mx.np.ones((2, 3)))
    net.export(os.path.join(OUT, "gluon"))
    expected(
        "gluon-0000.params",
        {k: v.asnumpy() for k, v in mx.npx.load(os.path.join(OUT, "gluon-0000.params")).items()},
    )

    vals = {k.replace(":", "_"): v for k, v in nd_dense().items()}
    vals["i16"] = rng.integers(-30000, 30000, (3,)).astype("int16")
    vals["u16"] = rng.integers(0, 60000, (3,)).astype("uint16")
    vals["u32"] = rng.integers(0, 2**32 - 1, (3,)).astype("uint32")
    vals["u64"] = rng.integers(0, 2**62, (3,)).astype("uint64")
    vals["scalar"] = np.array(1.5, "float32")
    vals["empty"] = np.zeros((0, 3), "float32")
    mx.npx.savez(
        os.path.join(OUT, "savez.npz"),
        **{k: mx.np.array(v, dtype=v.dtype) for k, v in vals.items()},
    )
    expected(
        "savez.npz",
        {k: v.asnumpy() for k, v in mx.npx.load(os.path.join(OUT, "savez.npz")).items()},
    )

    mx.npx.savez(os.path.join(OUT, "savez_list.npz"), mx.np.ones((2,)), mx.np.arange(3))
    expected(
        "savez_list.npz",
        {k: v.asnumpy() for k, v in mx.npx.load(os.path.join(OUT, "savez_list.npz")).items()},
    )

    mx.npx.save(os.path.join(OUT, "single.npy"), mx.np.arange(6).reshape(2, 3))
    expected("single.npy", {"0": mx.npx.load(os.path.join(OUT, "single.npy")).asnumpy()})

    # bfloat16: MXNet 2.0 writes descr [('bfloat16', '<u2')] (and cannot read it back itself),
    # so the expected values come from a cast in MXNet.
    x = mx.nd.array(rng.standard_normal((2, 3)))
    bf = mx.nd.amp_cast(x, dtype=BF16)
    mx.npx.savez(os.path.join(OUT, "bf16.npz"), w=bf.as_np_ndarray())
    expected("bf16.npz", {"w": mx.nd.amp_cast(bf, dtype="float32").asnumpy()})

    cs = mx.nd.sparse.csr_matrix(
        (np.array([1.0, 2.0], "f4"), np.array([0, 2]), np.array([0, 1, 2])), shape=(2, 3)
    )
    rs = mx.nd.sparse.row_sparse_array((np.ones((1, 3), "f4"), [1]), shape=(4, 3))
    mx.npx.savez(os.path.join(OUT, "sparse_csr.npz"), dense=mx.np.ones((2,)), csr_w=cs)
    reject["sparse_csr.npz"] = ["csr_w", "csr"]
    mx.npx.savez(os.path.join(OUT, "sparse_rs.npz"), emb_weight=rs)
    reject["sparse_rs.npz"] = ["emb_weight", "row_sparse"]


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    if mx.__version__.startswith("1."):
        main_19()
    else:
        main_20()
    with open(os.path.join(OUT, "reject.json"), "w") as f:
        json.dump(reject, f)
