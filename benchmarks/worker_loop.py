# SPDX-License-Identifier: Apache-2.0
"""The JSON-lines loop every benchmark worker process runs (peer_worker.py, family_worker.py):
one command per line on stdin, one JSON reply per line on stdout.

Commands: {"cmd": "time", "n": N[, "warmup": W]} -> {"times_ms": [...]} (N timed calls after W
untimed ones); {"cmd": "stats"} -> {"load_ms", "peak_rss_mb"}; {"cmd": "save", "path": P} ->
the first output saved to P, {"ok": true}.
"""

import json
import resource
import sys
import time

import numpy as np


def serve(make_engine, warmup=3):
    """Builds the engine with `make_engine()` (timed as load_ms), runs it `warmup` times, then
    answers commands until stdin closes. The engine has a run() method returning an array."""
    t0 = time.perf_counter()
    engine = make_engine()
    load_ms = (time.perf_counter() - t0) * 1e3
    for _ in range(warmup):
        engine.run()
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "time":
            for _ in range(cmd.get("warmup", 0)):
                engine.run()
            times = []
            for _ in range(cmd["n"]):
                t = time.perf_counter()
                engine.run()
                times.append((time.perf_counter() - t) * 1e3)
            reply = {"times_ms": times}
        elif cmd["cmd"] == "stats":
            reply = {
                "load_ms": load_ms,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        else:
            np.save(cmd["path"], np.asarray(engine.run()))
            reply = {"ok": True}
        print(json.dumps(reply), flush=True)
