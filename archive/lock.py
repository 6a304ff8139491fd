"""One writer at a time: an advisory lock file in the home.

``fcntl.flock`` locks die with their process, so a lock left by a killed ingester is never
stale: the next writer simply gets it.  The holder writes its process id and command into
the lock file, so a waiting process can say whom it waits for ("waiting for the ingest in
process 4242…").  Long-running commands (the watcher) wait as long as it takes; one-shot
commands give up after ``[lock] wait_seconds`` of dangan.toml with ``BusyError`` (exit 10).
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Callable, Iterator

from dangan.indexer.errors import BusyError

LOCK_NAME = ".writer.lock"
DEFAULT_WAIT = 30.0


@contextmanager
def writer_lock(
    home_root: Path,
    *,
    wait: float | None = DEFAULT_WAIT,
    holder: str = "dangan",
    on_wait: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[None]:
    """Hold the home's writer lock for the block.

    ``wait`` seconds at most (None: until the lock is free), calling ``on_wait`` once with
    who holds it; BusyError when the wait runs out or ``should_stop()`` turns true.
    ``holder`` names this command in the lock file for others' messages.
    """
    path = home_root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = None if wait is None else time.monotonic() + wait
    announced = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                who = holder_of(path)
                if on_wait and not announced:
                    on_wait(who)
                    announced = True
                if (deadline is not None and time.monotonic() >= deadline) or (should_stop and should_stop()):
                    raise BusyError(
                        f"{home_root}: {who} is writing to this archive; wait for it to finish or stop it, "
                        "or raise [lock] wait_seconds in dangan.toml"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {holder}".encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock


def holder_of(path: Path) -> str:
    """Who holds the lock, as words: "the ingest in process 4242" (or "another dangan process")."""
    try:
        pid, _, command = path.read_text(encoding="utf-8", errors="replace").strip().partition(" ")
    except OSError:
        return "another dangan process"
    if not pid.isdigit():
        return "another dangan process"
    return f"the {command or 'dangan'} in process {pid}"


class StepLock:
    """A lock taken around single steps, re-entrant within its owner; a no-op without a factory.

    The ingester holds the writer lock only for each file's writing steps, and a step may
    run inside another (an index flush inside a commit); a second ``flock`` on the same file
    from the same process would wait for itself, so nested steps reuse the outer hold.
    """

    def __init__(self, factory: Callable[[], AbstractContextManager[object]] | None):
        self.factory = factory
        self.depth = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        """The lock for the block (taken only by the outermost step)."""
        if self.factory is None or self.depth:
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
            return
        with self.factory():
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
