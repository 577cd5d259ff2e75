# SPDX-License-Identifier: Apache-2.0
"""Runs in the MXNet 2.0.0b1 oracle environment: exports a transformer encoder block written
with Gluon 2.0 (nn.Dense, nn.LayerNorm, nn.Dropout, np.einsum / np.matmul attention, a
length-masked npx.softmax, GELU through npx.leaky_relu as 2.0.0b1 has no npx.gelu),
hybridized, with fixed-seed random weights.

Usage: python mx2_transformer.py OUT_DIR
Writes OUT_DIR/{model-symbol.json, model-0000.params, io.npz}; io.npz holds x1, len1, y1
(batch 1) and x2, len2, y2 (batch 2): x is (batch, 8, 32) float32, len the valid length of
each sequence (int32), y the block's output.
"""

import os
import sys

import mxnet as mx
import numpy as onp
from mxnet import np, npx
from mxnet.gluon import HybridBlock, nn

npx.set_np()

UNITS, HEADS, HIDDEN, SEQ = 32, 4, 64, 8


class EncoderBlock(HybridBlock):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Dense(3 * UNITS, flatten=False, in_units=UNITS)
        self.proj = nn.Dense(UNITS, flatten=False, in_units=UNITS)
        self.ln1 = nn.LayerNorm(in_channels=UNITS)
        self.ffn1 = nn.Dense(HIDDEN, flatten=False, in_units=UNITS)
        self.ffn2 = nn.Dense(UNITS, flatten=False, in_units=HIDDEN)
        self.ln2 = nn.LayerNorm(in_channels=UNITS)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, valid_length):
        d = UNITS // HEADS
        qkv = npx.reshape(self.qkv(x), (-2, -2, 3, HEADS, d))  # (B, T, 3, H, d)
        q = qkv[:, :, 0]
        k = qkv[:, :, 1]
        v = qkv[:, :, 2]
        scores = np.einsum("bqhd,bkhd->bhqk", q, k) / onp.sqrt(d)  # (B, H, T, T)
        # softmax over the keys, each sequence's padding masked by its valid length, given to
        # npx.softmax per (batch, head, query) row
        lengths = (scores[:, :, :, 0] * 0).astype("int32") + valid_length.reshape(-1, 1, 1)
        attn = npx.softmax(scores, length=lengths, axis=-1, use_length=True)
        attn = self.drop(attn)
        ctx = np.matmul(attn, np.swapaxes(v, 1, 2))  # (B, H, T, d)
        ctx = npx.reshape(np.swapaxes(ctx, 1, 2), (-2, -2, -1))  # (B, T, H*d)
        h = self.ln1(x + self.drop(self.proj(ctx)))
        f = self.ffn2(self.drop(npx.leaky_relu(self.ffn1(h), act_type="gelu")))
        return self.ln2(h + f)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    mx.random.seed(11)
    onp.random.seed(11)
    net = EncoderBlock()
    net.initialize(mx.init.Xavier())
    for p in net.collect_params().values():
        if p.name.endswith("gamma") or p.name.endswith("beta"):
            p.set_data(np.array(onp.random.uniform(0.5, 1.5, p.shape)))
    net.hybridize()
    rng = onp.random.RandomState(5)
    io = {}
    for b, lens in ((1, [5]), (2, [8, 3])):
        x = rng.uniform(-1, 1, (b, SEQ, UNITS)).astype("float32")
        length = onp.array(lens, dtype="int32")
        io[f"x{b}"] = x
        io[f"len{b}"] = length
        io[f"y{b}"] = net(np.array(x), np.array(length, dtype="int32")).asnumpy()
    net.export(os.path.join(out, "model"))
    onp.savez(os.path.join(out, "io.npz"), **io)


if __name__ == "__main__":
    main()
