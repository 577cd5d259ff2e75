# SPDX-License-Identifier: Apache-2.0
"""_sg_mkldnn_fully_connected against MXNet 1.9.1: quantized with tensor-wise int8 weight and bias
and float output, and relu with a calibrated uint8 output; float32 with relu."""

from ops._quantized_cases import FC_CASES
from oracle.cases import oracle_test

test_fused_fully_connected = oracle_test(FC_CASES)
