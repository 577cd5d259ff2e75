# SPDX-License-Identifier: Apache-2.0
"""Wire formats: the Open Inference Protocol v2 schemas and the binary tensor data extension."""
