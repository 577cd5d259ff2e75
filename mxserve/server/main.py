# SPDX-License-Identifier: Apache-2.0
"""``serve(settings)``, what ``mxserve serve`` runs: one server process (``app.serve_single``),
or with ``--workers`` N > 1 a supervisor of N of them (``workers.Supervisor``).

This module sits above ``app.py`` and ``workers.py``, so that nothing ``app.py`` imports
imports it back.
"""

from __future__ import annotations

from .app import check_store, serve_single
from .config import Settings


def serve(settings: Settings) -> int:
    """Runs the server until SIGTERM/SIGINT, then drains: readiness turns false, new requests get
    503, queued and executing ones finish (at most ``exit_timeout_secs``), then it exits."""
    check_store(settings)
    if settings.workers > 1:
        from .workers import Supervisor

        return Supervisor(settings).run()
    return serve_single(settings)
