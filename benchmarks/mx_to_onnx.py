# SPDX-License-Identifier: Apache-2.0
"""Runs in the MXNet 1.9.1 + onnx 1.14.1 environment: converts an exported model to ONNX with
MXNet's own exporter, one file per batch size, with the initializers removed from the graph
inputs so that ONNX Runtime may constant-fold them.

Usage: python mx_to_onnx.py MODEL_DIR SIZE BATCH [BATCH...]   (writes MODEL_DIR/model-b{BATCH}.onnx)
"""

import sys

import mxnet as mx
import numpy as np
import onnx


def main():
    model_dir, size = sys.argv[1], int(sys.argv[2])
    for batch in (int(b) for b in sys.argv[3:]):
        path = f"{model_dir}/model-b{batch}.onnx"
        shape = (batch, 784) if size == 0 else (batch, 3, size, size)
        mx.onnx.export_model(
            f"{model_dir}/model-symbol.json",
            f"{model_dir}/model-0000.params",
            in_shapes=[shape],
            in_types=[np.float32],
            onnx_file_path=path,
        )
        model = onnx.load(path)
        initializers = {i.name for i in model.graph.initializer}
        inputs = [i for i in model.graph.input if i.name not in initializers]
        del model.graph.input[:]
        model.graph.input.extend(inputs)
        onnx.save(model, path)


if __name__ == "__main__":
    main()
