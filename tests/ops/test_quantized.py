# SPDX-License-Identifier: Apache-2.0
"""_contrib_quantize_v2 (int8, uint8, auto, saturation), _contrib_dequantize and
_contrib_requantize against MXNet 1.9.1, and the load-time errors of quantized graphs."""

import numpy as np
import pytest
from ops._harness import one_node
from ops._quantized_cases import QUANTIZE_CASES
from oracle.cases import oracle_test

import mxserve

test_quantized = oracle_test(QUANTIZE_CASES)


def test_quantized_rejects_uncalibrated_quantize(tmp_path):
    with pytest.raises(
        mxserve.errors.UnsupportedError, match="_contrib_quantize_v2 node 'q'.*calib_mode"
    ):
        one_node(
            tmp_path,
            "_contrib_quantize_v2",
            {"out_type": "int8"},
            {"x": (2, 3)},
            name="q",
            num_outputs=3,
        )


def test_quantized_rejects_bad_out_type(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match="out_type"):
        one_node(
            tmp_path,
            "_contrib_quantize_v2",
            {"out_type": "int4", "min_calib_range": "0", "max_calib_range": "1"},
            {"x": (2, 3)},
            name="q",
        )


def test_quantized_rejects_inverted_calib_range(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match="min_calib_range"):
        one_node(
            tmp_path,
            "_contrib_quantize_v2",
            {"min_calib_range": "1", "max_calib_range": "0"},
            {"x": (2, 3)},
            name="q",
        )


def test_quantized_rejects_runtime_range(tmp_path):
    # Ranges fed as graph inputs are only known at run time.
    with pytest.raises(
        mxserve.errors.UnsupportedError,
        match="_contrib_dequantize node 'dq'.*not known at bind time",
    ):
        one_node(
            tmp_path,
            "_contrib_dequantize",
            None,
            {"x": (2, 3), "lo": (1,), "hi": (1,)},
            dtypes={"x": np.int8},
            name="dq",
        )
