# SPDX-License-Identifier: Apache-2.0
"""Drop-in replacements for MXNet client modules; see :mod:`mxserve.compat.mxnet_predict`."""
