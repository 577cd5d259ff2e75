# SPDX-License-Identifier: Apache-2.0
"""One router per surface: health, models (metadata/config/stats), infer, repository, mms, metrics."""
