"""Run a reader where it can be stopped: a child process with a memory cap, timed from outside.

A reader checks ``seconds_per_file`` between pages, but one page (a 14,400-pt sheet, a
content-stream bomb) or one DOCX part can keep it busy for minutes and take gigabytes, and a
library stuck inside C code never reaches the next check.  So reading runs in a worker
process: the worker caps its own address space (``RLIMIT_AS``) before it reads anything, and
the parent waits for the answer only until the time limit, then kills the worker.  Either
way the parent goes on with the next file in a fresh worker.

Workers are reused for a batch (and across batches of one process): starting Python and
importing the readers costs more than reading a typical text PDF, and the OCR engine's
models load once per worker.  The worker is generic — it runs ``module:function`` with
picklable arguments — so a converter for other formats (LibreOffice) can run in it too.

The protocol is a pickled request and a pickled answer per call, each behind an 8-byte
length, on the worker's stdin and stdout; anything a library prints goes to /dev/null.
"""

from __future__ import annotations

import atexit
import importlib
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

_HEADER = struct.Struct(">Q")
# glibc gives each thread its own 64 MB malloc arena of address space; the OCR engine's
# threads alone would then reserve more than a page of OCR uses.  Two arenas cost nothing
# measurable here and keep the address-space cap about what the reader really needs.
_CHILD_ENV = {"MALLOC_ARENA_MAX": "2"}
# Idle workers kept for reuse; more run at once when callers (web uploads) overlap.
_KEEP_IDLE = 2
# How long a new worker may take to start and import its preload before it counts as dead.
_START_SECONDS = 300.0
# A reader failing after its worker's address space reached this share of the cap is taken
# to have run out of memory; a worker that reached it is replaced (VmPeak never goes down).
_NEAR_CAP = 0.9


class WorkerTimeout(Exception):
    """The call ran past its time limit; the worker was killed."""


class WorkerOutOfMemory(Exception):
    """The call needed more memory than the worker's cap."""


class WorkerDied(Exception):
    """The worker ended without an answer (a crash in C code, or killed from outside)."""

    def __init__(self, signal_name: str):
        super().__init__(signal_name)
        self.signal_name = signal_name


def _write_frame(stream, data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes | None:
    """``size`` bytes from ``fd``; None at end of file; WorkerTimeout past ``deadline``."""
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise WorkerTimeout()
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float | None = None) -> bytes | None:
    header = _read_exactly(fd, _HEADER.size, deadline)
    if header is None:
        return None
    return _read_exactly(fd, _HEADER.unpack(header)[0], deadline)


class BoundedWorker:
    """One worker process; :meth:`call` runs ``module:function`` in it within time and memory."""

    def __init__(self, memory_mb: float, preload: tuple[str, ...] = ()):
        self.memory_mb = memory_mb
        self.preload = preload  # modules the worker imports as it starts, before any request
        self._proc: subprocess.Popen | None = None
        self._ready = False  # the worker said it is capped and loaded (its start is not the call's time)

    def call(self, target: str, *args, seconds: float, **kwargs):
        """The function's result, or its exception re-raised here.

        WorkerTimeout after ``seconds``, WorkerOutOfMemory over the cap, WorkerDied when the
        process ended without answering; after each of those the worker is gone and the next
        call starts a fresh one.
        """
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None  # started with pipes
        try:
            if not self._ready:
                # Starting Python and importing the readers is not the file's time: on a
                # busy machine it alone took longer than a short time limit.
                self._ready = _read_frame(proc.stdout.fileno(), time.monotonic() + _START_SECONDS) is not None
            _write_frame(proc.stdin, pickle.dumps((target, args, kwargs)))
            frame = _read_frame(proc.stdout.fileno(), time.monotonic() + seconds)
        except WorkerTimeout:
            proc.kill()  # stuck: no time to ask it to end
            self.close()
            raise
        except BrokenPipeError:
            frame = None
        if frame is None:
            raise WorkerDied(self._died())
        status, value, retire = pickle.loads(frame)
        if retire or status == "memory":
            proc.kill()
            self.close()  # a fresh process: a huge read leaves its peak (and a fragmented heap)
        if status == "memory":
            raise WorkerOutOfMemory()
        if status == "error":
            raise value
        return value

    def close(self) -> None:
        """Stop the worker: asked to end (its stdin closes), killed if it does not at once
        (it may be stuck in C code)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None and proc.stdout is not None  # started with pipes
        proc.stdin.close()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()

    def _start(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._ready = False
            # Where the package `dangan` is found (a checkout or site-packages), for the child.
            package_root = str(Path(sys.modules["dangan"].__file__ or ".").resolve().parent.parent)
            env = dict(os.environ, **_CHILD_ENV)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "dangan.indexer.bounded", str(int(self.memory_mb * 1024 * 1024)), *self.preload],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                close_fds=True,
            )
        return self._proc

    def _died(self) -> str:
        proc, self._proc = self._proc, None
        assert proc is not None and proc.stdin is not None and proc.stdout is not None  # a worker was started
        code = proc.wait()
        proc.stdin.close()
        proc.stdout.close()
        if code < 0:
            return signal.Signals(-code).name
        return f"exit {code}"


class WorkerPool:
    """Workers of one memory cap, reused: a call takes an idle one or starts one."""

    def __init__(self, memory_mb: float, preload: tuple[str, ...] = ()):
        self.memory_mb = memory_mb
        self.preload = preload
        self._idle: list[BoundedWorker] = []
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Start a worker now, so its start and imports overlap the caller's own work."""
        with self._lock:
            if not self._idle:
                worker = BoundedWorker(self.memory_mb, self.preload)
                worker._start()
                self._idle.append(worker)

    def call(self, target: str, *args, seconds: float, **kwargs):
        """Like :meth:`BoundedWorker.call`, on an idle worker of the pool."""
        with self._lock:
            worker = self._idle.pop() if self._idle else BoundedWorker(self.memory_mb, self.preload)
        try:
            return worker.call(target, *args, seconds=seconds, **kwargs)
        finally:
            with self._lock:
                if len(self._idle) < _KEEP_IDLE:
                    self._idle.append(worker)  # a killed worker restarts on its next call
                else:
                    worker.close()

    def close(self) -> None:
        """Stop every idle worker."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


_POOLS: dict[tuple, WorkerPool] = {}
_POOLS_LOCK = threading.Lock()


def close_pools() -> None:
    """Stop every idle worker of the process (at exit, so none outlives its parent)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
    for each in pools:
        each.close()


atexit.register(close_pools)


def pool(memory_mb: float, preload: tuple[str, ...] = ()) -> WorkerPool:
    """The process's shared pool for this memory cap and preload (workers outlive one batch)."""
    with _POOLS_LOCK:
        key = (memory_mb, preload)
        if key not in _POOLS:
            _POOLS[key] = WorkerPool(memory_mb, preload)
        return _POOLS[key]


# -- the worker side -------------------------------------------------------------------------
def _peak_bytes() -> int:
    """The worker's peak address space so far (VmPeak), 0 where /proc does not say."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _answer(request: tuple, memory_bytes: int) -> bytes:
    """Run one request; the pickled (status, value, retire): ("ok", result) | ("error",
    exception) | ("memory", None), and whether this worker should be replaced."""
    target, args, kwargs = request
    peak_before = _peak_bytes()
    try:
        module, name = target.split(":")
        status, value = "ok", getattr(importlib.import_module(module), name)(*args, **kwargs)
    except MemoryError:
        status, value = "memory", None
    except Exception as e:  # noqa: BLE001 - any reader failure is the caller's to judge; sent back whole
        status, value = "error", e
    peak = _peak_bytes()
    near_cap = memory_bytes > 0 and peak >= _NEAR_CAP * memory_bytes
    if status == "error" and near_cap and peak > peak_before:
        # Parsers in C (libxml2, PDFium) report a failed allocation as their own error
        # ("unknown error"): a failure at the cap is the cap, not a damaged file.
        status, value = "memory", None
    try:
        data = pickle.dumps((status, value, near_cap))
        pickle.loads(data)  # an exception class with extra arguments pickles but cannot be rebuilt
    except MemoryError:
        return pickle.dumps(("memory", None, True))
    except Exception:  # noqa: BLE001 - a result or error that cannot cross: sent as plain text
        data = pickle.dumps(("error", RuntimeError(f"{type(value).__name__}: {value}"), near_cap))
    return data


def serve(memory_bytes: int, preload: list[str]) -> None:
    """The worker's loop: cap memory, import ``preload``, then answer requests until stdin closes."""
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # a library's print must not corrupt the channel
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    for module in preload:
        importlib.import_module(module)
    _write_frame(channel, b"ready")
    while True:
        request = _read_frame(sys.stdin.fileno())
        if request is None:
            return  # the parent closed the pipe or exited: nothing is left running
        _write_frame(channel, _answer(pickle.loads(request), memory_bytes))


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2:])
