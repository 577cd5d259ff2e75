# SPDX-License-Identifier: Apache-2.0
"""Recipes for tests/oracle/mx_quantize.py: Gluon model-zoo networks with fixed-seed random weights,
quantized by MXNet 1.9.1 itself (Gluon flow `quantize_net` or symbolic flow
`quantize_model_mkldnn`) with a fixed random calibration set. Runs in the oracle environment."""

import numpy as np

# Image side of each network's input.
MODELS = {
    "resnet18_v1": 224,
    "resnet50_v1": 224,
    "mobilenet1.0": 224,
    "mobilenetv2_1.0": 224,
    "inceptionv3": 299,
}
CALIB_IMAGES = 32
TEST_IMAGES = 256


def _images(seed, n, size):
    # Smooth-ish random images in [-2, 2], like normalised photos, so activations are not noise.
    rng = np.random.RandomState(seed)
    coarse = rng.uniform(-2, 2, (n, 3, size // 8 + 1, size // 8 + 1)).astype("float32")
    up = np.repeat(np.repeat(coarse, 8, axis=2), 8, axis=3)[:, :, :size, :size]
    return (up + rng.normal(0, 0.3, up.shape)).astype("float32")


def calibration_images(model):
    return _images(101, CALIB_IMAGES, MODELS[model])


def test_images(model):
    return _images(202, TEST_IMAGES, MODELS[model])


def build_fp32(mx, model):
    """The fp32 network, initialised with fixed seeds and random BatchNorm statistics."""
    mx.random.seed(42)
    np.random.seed(42)
    net = mx.gluon.model_zoo.vision.get_model(model, pretrained=False)
    net.initialize(mx.init.Xavier(magnitude=2.0))
    size = MODELS[model]
    net(mx.nd.zeros((1, 3, size, size)))
    rng = np.random.RandomState(3)
    for name, param in net.collect_params().items():
        if name.endswith("running_mean"):
            param.set_data(mx.nd.array(rng.uniform(-0.1, 0.1, param.shape)))
        elif name.endswith("running_var"):
            param.set_data(mx.nd.array(rng.uniform(0.8, 1.2, param.shape)))
    net.hybridize()
    return net


def quantize_gluon(mx, net, model, calib_mode):
    """Gluon flow: returns the quantized SymbolBlock."""
    from mxnet.contrib import quantization

    # A DataIter: 1.9.1's DataLoader wrapper hands single-array batches on unwrapped and fails.
    calib = mx.io.NDArrayIter(data=calibration_images(model), batch_size=8)
    return quantization.quantize_net(
        net,
        quantized_dtype="auto",
        calib_mode=calib_mode,
        calib_data=calib,
        num_calib_examples=CALIB_IMAGES,
        ctx=mx.cpu(),
    )


def quantize_symbolic(mx, sym, args, auxs, model, calib_mode):
    """Symbolic flow on the exported fp32 symbol: returns (qsym, qargs, qauxs)."""
    from mxnet.contrib import quantization

    calib = mx.io.NDArrayIter(data=calibration_images(model), batch_size=8)
    return quantization.quantize_model_mkldnn(
        sym,
        args,
        auxs,
        data_names=("data",),
        label_names=None,
        ctx=mx.cpu(),
        calib_mode=calib_mode,
        calib_data=calib,
        num_calib_examples=CALIB_IMAGES,
        quantized_dtype="auto",
    )
