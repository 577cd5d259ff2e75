# SPDX-License-Identifier: Apache-2.0
"""``mxserve serve --workers N``: N server processes sharing the listening sockets.

The supervisor (the process that ran ``mxserve serve``) binds the HTTP and metrics ports as a
single server does, creates a private directory (mode 0700) for the workers' Unix sockets, and
starts the workers with the multiprocessing *spawn* context: each is a fresh interpreter, as the
oneDNN/OpenMP runtime is not fork-safe. A worker inherits its bound sockets, loads the model
repository itself and runs the single-process server on them (``app.run``), plus its private
Unix socket ``worker-<i>.sock`` for its siblings' snapshot requests (``aggregate.py``). The
supervisor loads no model.

On Linux each worker gets its own sockets, bound with SO_REUSEPORT to the same ports: the kernel
then spreads new connections over the listening ones by a hash of the addresses. With one shared
socket the worker that wakes first accepts the connections waiting (of 32 opened at once, one
worker took 25 to 32 in each of six trials), which defeats the purpose for a load generator or
client pool that opens its connections together and keeps them.
A worker's sockets are closed when it ends, so that no connection waits for a dead worker, and
bound again for its successor. Elsewhere (SO_REUSEPORT does not balance) the workers share one
set of sockets.

* Every HEARTBEAT_INTERVAL_S the supervisor asks each serving worker's private socket for
  ``GET /heartbeat``, which the worker's event loop answers. A worker that has answered none for
  HEARTBEAT_TIMEOUT_S (stopped, deadlocked, or its event loop blocked) is killed with SIGKILL
  and restarted like a worker that died.
* SIGTERM or SIGINT to the supervisor is forwarded to every worker, which drains as a single
  server does; the supervisor waits for them and exits 0. A second signal is forwarded too (it
  ends the drains early). Workers run in their own process group, so a terminal's Ctrl-C reaches
  them once, through the supervisor; if the supervisor is killed, Linux sends them SIGTERM.
* A worker that dies while the server runs is logged with its exit code or signal and restarted
  after ``RESTART_BACKOFF_S`` (doubling with each death of that worker within
  ``RESTART_WINDOW_S``, at most ``MAX_BACKOFF_S``). When one worker dies more than
  ``MAX_RESTARTS`` times within ``RESTART_WINDOW_S``, or a worker ends before it ever served (its
  start-up failed), the supervisor stops the others and exits 1.
"""

from __future__ import annotations

import collections
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from .aggregate import Aggregator
from .app import configure_logging, create_app, listen, run
from .config import Settings

log = logging.getLogger("mxserve.supervisor")

#: Whether each worker gets its own SO_REUSEPORT sockets (see the module docstring).
PER_WORKER_SOCKETS = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")

MAX_RESTARTS = 5  # deaths of one worker within RESTART_WINDOW_S that are restarted
RESTART_WINDOW_S = 60.0
RESTART_BACKOFF_S = 0.5  # delay before the first restart; doubles with each recent death
MAX_BACKOFF_S = 8.0
#: After forwarding the stop signal the supervisor waits this long on top of two exit timeouts
#: (a worker's drain, then uvicorn's graceful shutdown) before it kills the workers left.
KILL_GRACE_S = 10.0
HEARTBEAT_INTERVAL_S = 1.0  # between two heartbeat requests to a worker
HEARTBEAT_TIMEOUT_S = 10.0  # without an answer, the worker is killed and restarted


def socket_path(directory: str, index: int) -> str:
    """The private Unix socket of worker ``index``."""
    return os.path.join(directory, f"worker-{index}.sock")


@dataclass
class _Worker:
    """One worker slot; its process is replaced when it dies."""

    index: int
    sockets: list[socket.socket] = field(default_factory=list)  # the HTTP and metrics listeners
    proc: BaseProcess | None = None
    started: Connection | None = None  # read end; the worker sends its pid once it serves
    ever_served: bool = False  # some process of this slot has served
    deaths: collections.deque[float] = field(default_factory=collections.deque)
    restart_at: float | None = None  # time.monotonic() of the pending restart
    last_beat: float | None = None  # time.monotonic() of its last heartbeat answer


class Supervisor:
    """Starts, watches, restarts and stops the worker processes (see the module docstring).

    Args:
        settings: the server's settings; ``settings.workers`` processes are run.
        target: the worker's entry point (tests pass stand-ins); it must be importable by name,
            as the spawned interpreter looks it up.
    """

    def __init__(self, settings: Settings, target: Callable[..., None] | None = None) -> None:
        self.settings = settings
        self._target = target or _worker_main
        self._ctx = multiprocessing.get_context("spawn")
        self._workers = [_Worker(i) for i in range(settings.workers)]
        self._dir = ""
        self._wakeup_r, self._wakeup_w = socket.socketpair()  # see run()
        self._stopping = False
        self._exit_code = 0
        self._kill_at: float | None = None
        self._beating = threading.Event()  # set: the heartbeat thread ends

    def run(self) -> int:
        """Serves until a signal (exit code 0) or until workers keep failing (exit code 1)."""
        s = self.settings
        configure_logging(s)
        try:
            self._bind_all()
        except OSError as e:
            log.error(
                "cannot bind %s (http port %d, metrics port %s): %s",
                s.host,
                s.http_port,
                s.metrics_port,
                e,
                extra={"event": "bind_failed"},
            )
            self._close_sockets()
            self._wakeup_r.close()
            self._wakeup_w.close()
            return 1
        s = self.settings  # with the port the kernel chose for --http-port 0
        self._dir = _private_dir(s.workers)
        # The handlers only wake the loop below (set_wakeup_fd writes the signal number to the
        # socket pair); the loop forwards the signals, so none is lost while a worker starts.
        self._wakeup_w.setblocking(False)
        old_wakeup = signal.set_wakeup_fd(self._wakeup_w.fileno(), warn_on_full_buffer=False)
        old_handlers = {sig: signal.signal(sig, _ignore) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            log.info(
                "serving on http://%s:%d (metrics on port %s) with %d workers (sockets in %s)",
                s.host,
                s.http_port,
                s.metrics_port,
                s.workers,
                self._dir,
                extra={"event": "listening"},
            )
            for w in self._workers:
                self._start(w)
            threading.Thread(target=self._heartbeats, name="heartbeat", daemon=True).start()
            return self._supervise()
        finally:
            self._beating.set()
            for w in self._workers:  # only after an error in this loop
                if w.proc is not None and w.proc.is_alive():
                    w.proc.kill()
                    w.proc.join()
            for sig, handler in old_handlers.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(old_wakeup)
            self._close_sockets()
            self._wakeup_r.close()
            self._wakeup_w.close()
            shutil.rmtree(self._dir, ignore_errors=True)

    def _bind_all(self) -> None:
        if not PER_WORKER_SOCKETS:
            shared = listen(self.settings)
            for w in self._workers:
                w.sockets = shared
            return
        for w in self._workers:
            w.sockets = listen(self.settings, reuse_port=True)
            if self.settings.http_port == 0:  # the kernel chose a port: the others bind it too
                port = w.sockets[0].getsockname()[1]
                self.settings = self.settings.model_copy(update={"http_port": port})

    def _close_sockets(self, w: _Worker | None = None) -> None:
        for slot in self._workers if w is None else [w]:
            for sock in slot.sockets:
                sock.close()
            slot.sockets = []

    # -- the loop -----------------------------------------------------------------------------
    def _supervise(self) -> int:
        while True:
            live = [w for w in self._workers if w.proc is not None]
            if self._stopping and not live:
                log.info("all workers stopped", extra={"event": "stopped"})
                return self._exit_code
            waitables: list[Any] = [self._wakeup_r]
            for w in live:
                assert w.proc is not None
                waitables.append(w.proc.sentinel)
                if w.started is not None:
                    waitables.append(w.started)
            ready = wait(waitables, self._timeout())
            if self._wakeup_r in ready:
                self._forward_signals()
            for w in live:
                if w.started is not None and w.started in ready:
                    self._on_started(w)
                if w.proc is not None and w.proc.sentinel in ready:
                    self._on_exit(w)
            now = time.monotonic()
            for w in self._workers:
                if w.restart_at is not None and now >= w.restart_at and not self._stopping:
                    self._start(w)
            if self._kill_at is not None and now >= self._kill_at:
                self._kill_left()
            if not self._stopping:
                self._kill_silent(now)

    def _timeout(self) -> float:
        deadlines = [w.restart_at for w in self._workers if w.restart_at is not None]
        if self._kill_at is not None:
            deadlines.append(self._kill_at)
        soon = time.monotonic() + HEARTBEAT_INTERVAL_S
        return max(0.0, min([soon, *deadlines]) - time.monotonic())

    # -- heartbeats ---------------------------------------------------------------------------
    def _heartbeats(self) -> None:
        """The heartbeat thread: asks every serving worker, records when each answered."""
        while not self._beating.wait(HEARTBEAT_INTERVAL_S):
            for w in list(self._workers):
                proc = w.proc
                if w.last_beat is None or proc is None:
                    continue
                if _heartbeat(socket_path(self._dir, w.index)) and w.proc is proc:
                    w.last_beat = time.monotonic()

    def _kill_silent(self, now: float) -> None:
        for w in self._workers:
            if w.proc is None or w.last_beat is None or now - w.last_beat <= HEARTBEAT_TIMEOUT_S:
                continue
            log.error(
                "worker %d (pid %s) answered no heartbeat for %.0f s: killing it",
                w.index,
                w.proc.pid,
                now - w.last_beat,
                extra={"event": "worker_hung"},
            )
            w.last_beat = None
            w.proc.kill()  # its sentinel fires: _on_exit restarts it

    # -- workers ------------------------------------------------------------------------------
    def _start(self, w: _Worker) -> None:
        if not w.sockets:  # closed when its previous process ended
            try:
                w.sockets = listen(self.settings, reuse_port=True)
            except OSError as e:
                log.error(
                    "cannot bind the ports again for worker %d: %s; stopping the server",
                    w.index,
                    e,
                    extra={"event": "bind_failed"},
                )
                self._stop(1)
                return
        reader, writer = self._ctx.Pipe(duplex=False)
        proc = self._ctx.Process(
            target=self._target,
            args=(w.index, self.settings, w.sockets, self._dir, writer, os.getpid()),
            name=f"mxserve-worker-{w.index}",
        )
        proc.start()
        writer.close()
        w.proc, w.started, w.restart_at = proc, reader, None
        log.info("started worker %d (pid %s)", w.index, proc.pid, extra={"event": "worker_started"})

    def _on_started(self, w: _Worker) -> None:
        assert w.started is not None and w.proc is not None
        try:
            w.started.recv()
        except (EOFError, OSError):  # it ended before it served: _on_exit says how
            pass
        else:
            w.ever_served = True
            w.last_beat = time.monotonic()
            if PER_WORKER_SOCKETS:
                # The worker holds its own listeners now; without the supervisor's copies the
                # kernel closes them the moment it dies, and new connections go to the others
                # at once instead of queueing on a dead listener until the supervisor notices.
                self._close_sockets(w)
            log.info(
                "worker %d (pid %s) serving", w.index, w.proc.pid, extra={"event": "worker_serving"}
            )
        w.started.close()
        w.started = None

    def _on_exit(self, w: _Worker) -> None:
        assert w.proc is not None
        proc, w.proc = w.proc, None
        w.last_beat = None
        proc.join()
        how = _describe_exit(proc.exitcode)
        pid = proc.pid
        proc.close()
        if w.started is not None:
            w.started.close()
            w.started = None
        if PER_WORKER_SOCKETS:  # new connections go to the other workers meanwhile
            self._close_sockets(w)
        if self._stopping:
            log.info("worker %d (pid %s) ended (%s)", w.index, pid, how)
            return
        if not w.ever_served:
            log.error(
                "worker %d (pid %s) failed to start (%s); stopping the server",
                w.index,
                pid,
                how,
                extra={"event": "worker_failed"},
            )
            self._stop(1)
            return
        now = time.monotonic()
        w.deaths.append(now)
        while now - w.deaths[0] > RESTART_WINDOW_S:
            w.deaths.popleft()
        if len(w.deaths) > MAX_RESTARTS:
            log.error(
                "worker %d (pid %s) died (%s), %d times within %.0f s: giving up, stopping the "
                "server",
                w.index,
                pid,
                how,
                len(w.deaths),
                RESTART_WINDOW_S,
                extra={"event": "worker_failed"},
            )
            self._stop(1)
            return
        delay = min(RESTART_BACKOFF_S * 2 ** (len(w.deaths) - 1), MAX_BACKOFF_S)
        log.warning(
            "worker %d (pid %s) died (%s); restarting it in %.1f s",
            w.index,
            pid,
            how,
            delay,
            extra={"event": "worker_died"},
        )
        w.restart_at = now + delay

    # -- stopping -----------------------------------------------------------------------------
    def _forward_signals(self) -> None:
        try:
            received = self._wakeup_r.recv(64)
        except BlockingIOError:
            return
        for sig in received:
            if not self._stopping:
                log.info(
                    "received %s: stopping the workers (each drains, timeout %.0f s)",
                    signal.Signals(sig).name,
                    self.settings.exit_timeout_secs,
                    extra={"event": "draining"},
                )
                self._stop(0, sig)
            else:
                self._signal_workers(sig)

    def _stop(self, code: int, sig: int = signal.SIGTERM) -> None:
        self._stopping = True
        self._exit_code = max(self._exit_code, code)
        for w in self._workers:
            w.restart_at = None
        self._kill_at = time.monotonic() + 2 * self.settings.exit_timeout_secs + KILL_GRACE_S
        self._signal_workers(sig)

    def _signal_workers(self, sig: int) -> None:
        for w in self._workers:
            if w.proc is not None and w.proc.pid is not None:
                try:
                    os.kill(w.proc.pid, sig)
                except ProcessLookupError:  # already gone; its sentinel says so
                    pass

    def _kill_left(self) -> None:
        for w in self._workers:
            if w.proc is not None and w.proc.pid is not None:
                log.error(
                    "worker %d (pid %s) still runs after the exit timeouts: killing it",
                    w.index,
                    w.proc.pid,
                    extra={"event": "worker_killed"},
                )
                w.proc.kill()
        self._kill_at = None


def _heartbeat(path: str) -> bool:
    """Whether the worker at Unix socket ``path`` answers ``GET /heartbeat`` in time."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(HEARTBEAT_INTERVAL_S)
            sock.connect(path)
            sock.sendall(b"GET /heartbeat HTTP/1.0\r\nHost: mxserve-worker\r\n\r\n")
            status_line = sock.recv(64).split(b"\r\n", 1)[0]
            return status_line.split(b" ")[1:2] == [b"200"]
    except OSError:
        return False


def _ignore(sig: int, frame: object) -> None:
    """The Python-level handler; the work happens in the loop, woken by the wakeup fd."""


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _private_dir(workers: int) -> str:
    """A new directory only this user can open (mkdtemp makes it 0700) for the Unix sockets; in
    /tmp when $TMPDIR is too long for a socket path (about 100 bytes on Linux and macOS)."""
    d = tempfile.mkdtemp(prefix="mxserve-")
    if len(os.fsencode(socket_path(d, workers - 1))) > 100:
        os.rmdir(d)
        d = tempfile.mkdtemp(prefix="mxserve-", dir="/tmp")
    return d


# -- the worker process -----------------------------------------------------------------------
def _worker_main(
    index: int,
    settings: Settings,
    sockets: list[socket.socket],
    directory: str,
    started: Connection,
    supervisor: int,
) -> None:
    """A worker: the single-process server on the inherited sockets, plus its Unix socket."""
    os.setpgid(0, 0)  # out of the terminal's process group: Ctrl-C comes once, forwarded
    _exit_with(supervisor)
    configure_logging(settings, worker=index)
    app = create_app(settings)
    private = _listen_unix(socket_path(directory, index))
    siblings = [socket_path(directory, j) for j in range(settings.workers) if j != index]
    aggregator = Aggregator(
        app.state.repo.stats_rows, app.state.metrics, siblings, directory=directory, index=index
    )
    app.state.aggregator = aggregator

    def on_started() -> None:
        started.send(os.getpid())
        started.close()

    sys.exit(run(app, settings, sockets, (private, aggregator), on_started))


def _listen_unix(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(path)  # left by this slot's previous process
    except FileNotFoundError:
        pass
    sock.bind(path)
    os.chmod(path, 0o600)
    return sock


def _exit_with(supervisor: int) -> None:
    """Asks Linux for SIGTERM (a drain) when the supervisor dies, so no worker outlives it."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != supervisor:  # it died before prctl
        os.kill(os.getpid(), signal.SIGTERM)
