# SPDX-License-Identifier: Apache-2.0
"""Tests of the model file formats: parameter files (0x112 lists, .npz, .npy) and symbol JSON."""
