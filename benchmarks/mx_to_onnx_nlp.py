# SPDX-License-Identifier: Apache-2.0
"""Runs in the MXNet 1.9.1 + onnx 1.14.1 environment: converts an exported GluonNLP BERT-style
model (inputs: token ids and types int32, valid length float32; DistilBERT: ids and valid
length) to ONNX with MXNet's own exporter, one file per batch size, initializers removed from
the graph inputs.

Usage: python mx_to_onnx_nlp.py MODEL_DIR SEQ_LEN NUM_INPUTS BATCH [BATCH...]
(writes MODEL_DIR/model-b{BATCH}.onnx)
"""

import sys

import mxnet as mx
import numpy as np
import onnx
import onnx.checker
import onnx.defs
import onnx.helper

OPSET = 13


def main():
    # The exporter converts for onnx's newest opset (19 for onnx 1.14), whose ReduceMean no longer
    # takes the axes attribute its LayerNorm converter writes, and it checks the graph against
    # that opset. Converting for opset 13 (the newest its converters target) and stamping the
    # model with it gives a valid model.
    onnx.defs.onnx_opset_version = lambda: OPSET
    onnx.checker.check_graph = lambda graph, *a, **k: None
    model_dir, seq, num_inputs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    for batch in (int(b) for b in sys.argv[4:]):
        path = f"{model_dir}/model-b{batch}.onnx"
        shapes = [(batch, seq)] * (num_inputs - 1) + [(batch,)]
        types = [np.int32] * (num_inputs - 1) + [np.float32]
        mx.onnx.export_model(
            f"{model_dir}/model-symbol.json",
            f"{model_dir}/model-0000.params",
            in_shapes=shapes,
            in_types=types,
            onnx_file_path=path,
        )
        model = onnx.load(path)
        del model.opset_import[:]
        model.opset_import.append(onnx.helper.make_opsetid("", OPSET))
        initializers = {i.name for i in model.graph.initializer}
        inputs = [i for i in model.graph.input if i.name not in initializers]
        del model.graph.input[:]
        model.graph.input.extend(inputs)
        onnx.checker.check_model(model)
        onnx.save(model, path)


if __name__ == "__main__":
    main()
