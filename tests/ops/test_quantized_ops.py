# SPDX-License-Identifier: Apache-2.0
"""_contrib_quantized_pooling (max, global avg), _contrib_quantized_flatten and
_contrib_quantized_concat (rescaled and same-scale inputs) against MXNet 1.9.1."""

from ops._quantized_cases import OPS_CASES
from oracle.cases import oracle_test

test_quantized_ops = oracle_test(OPS_CASES)
