"""The inbox watcher: files documents as they arrive, never half-written ones.

A watchdog observer reports new and changed files; a file is taken only once its size and
mtime have stayed the same for ``stable_seconds`` (a scanner or a network copy writes in
chunks).  OS and editor junk is ignored.  Files already waiting at start are taken too.
SIGINT/SIGTERM stop the loop after the file being filed.  The writer lock is taken per chunk of
files (shared with other stations when the catalog is PostgreSQL), so `dangan file` and
friends can run between chunks.  When idle, and on stopping, the watcher indexes what other
stations queued for the index.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy.exc import SQLAlchemyError
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from dangan.archive.catalog import Catalog, chunks
from dangan.archive.dblock import writing
from dangan.archive.intake import coversheet
from dangan.archive.intake.inbox import inbox_project, is_in_inbox, is_junk, originals_first, walk
from dangan.archive.intake.ingest import Ingester, Record
from dangan.archive.intake.recovery import reconcile
from dangan.archive.outage import server_gone, wait_for_server
from dangan.archive.searchsync import drain_index_queue
from dangan.indexer.errors import BusyError, IndexDamagedError

DRAIN_EVERY = 2.0  # seconds between looks at the queue of index work while idle
LOCK_CHUNK = 50  # files filed per run of the ingester: its index work is committed after each run
EXIT_DRAIN_WAIT = 60.0  # on stopping, wait this long for another station's index write
RESCAN_EVERY = 2.0  # seconds between looks at the inbox when change notifications cannot be had
SAFETY_RESCAN = 30.0  # seconds between looks at the inbox when they can (in case they stop)


@dataclass
class StableTracker:
    """Remembers each candidate's (size, mtime) and since when it has not changed."""

    delay: float
    _seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)

    def touch(self, path: Path) -> None:
        """Note a file as (possibly) changed; its clock restarts at the next look."""
        self._seen.pop(path, None)
        self._seen[path] = (-1, -1, time.monotonic())

    def add(self, path: Path) -> None:
        """Note a file found by a rescan; one already followed keeps its clock."""
        if path not in self._seen:
            self.touch(path)

    def ready(self) -> list[Path]:
        """Files unchanged for ``delay`` seconds; vanished files are forgotten."""
        out, t = [], time.monotonic()
        for path, (size, mtime, since) in list(self._seen.items()):
            try:
                st = path.lstat()  # a link is judged as itself: a dangling one is still refused
            except FileNotFoundError:
                del self._seen[path]
                continue
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                self._seen[path] = (st.st_size, st.st_mtime_ns, t)
            elif t - since >= self.delay:
                out.append(path)
                del self._seen[path]
        return out

    def __len__(self) -> int:
        return len(self._seen)


class _Handler(FileSystemEventHandler):
    def __init__(self, q: "queue.Queue[Path]"):
        self.q = q

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        target = getattr(event, "dest_path", "") or event.src_path
        if event.event_type in ("created", "modified", "moved", "closed"):
            self.q.put(Path(os.fsdecode(target)))


class Watcher:
    """Watch the inbox and file what settles there."""

    def __init__(
        self,
        cat: Catalog,
        inbox: Path | None = None,
        *,
        stable_seconds: float | None = None,
        on_record: Callable[[Record], None] | None = None,
        poll: float = 0.25,
        on_wait: Callable[[str], None] | None = None,
        on_note: Callable[[str], None] | None = None,
    ):
        self.cat = cat
        self.inbox = Path(inbox or cat.home.inbox_dir)
        delay = stable_seconds if stable_seconds is not None else cat.home.setting("ingest", "stable_seconds", 2.0)
        self.tracker = StableTracker(float(delay))
        self.on_record = on_record
        self.on_wait = on_wait  # told whom the watcher waits for while another writer holds the lock
        self.poll = poll
        self.stop_event = threading.Event()
        self.records: list[Record] = []
        self._queue: "queue.Queue[Path]" = queue.Queue()
        self._last_drain = time.monotonic()
        self.on_note = on_note  # told once of what the watcher works around (no change notifications…)
        # Watchdog's thread dies silently on a folder made too deep after the start (it walks
        # new folders recursively), so the inbox is looked at now and then in any case.
        self._rescan_every = SAFETY_RESCAN
        self._last_scan = 0.0

    def candidate(self, path: Path) -> bool:
        # Links and FIFOs are candidates too: ingest refuses them to .failed/ with the reason.
        present = path.is_symlink() or (path.exists() and not path.is_dir())
        return present and not is_junk(path) and is_in_inbox(self.inbox, path)

    def scan(self) -> None:
        """Take every file waiting in the inbox (files already followed keep their clocks)."""
        for p in walk(self.inbox).files:  # iterative and link-safe: a folder 1,100 deep is passed over
            if self.candidate(p):
                self.tracker.add(p)

    def _observe(self) -> BaseObserver:
        """Start the change notifications; if they cannot be had, look at the inbox every
        ``RESCAN_EVERY`` seconds instead (said once).  Watchdog walks the inbox recursively
        (a folder 1,100 deep ran it out of stack) and the kernel limits how many folders one
        user may watch (ENOSPC): neither may stop filing."""
        observer = Observer()
        observer.schedule(_Handler(self._queue), str(self.inbox), recursive=True)
        try:
            observer.start()
        except (RecursionError, OSError) as e:
            observer.stop()
            self._rescan_every = RESCAN_EVERY
            self._note(
                f"the inbox {self.inbox} cannot be watched for changes ({type(e).__name__}: {e}); "
                f"looking at it every {RESCAN_EVERY:g} s instead"
            )
        return observer

    def _note(self, message: str) -> None:
        if self.on_note is not None:
            self.on_note(message)

    def run(self, *, once: bool = False) -> list[Record]:
        """Process until stopped (or, with ``once``, until the inbox is settled and empty).

        A catalog server that goes away stops filing, not the watcher: it waits, retries and
        goes on (``dangan.archive.outage``)."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        observer = self._observe()
        try:
            self.scan()
            self._last_scan = time.monotonic()
            while not self.stop_event.is_set():
                try:
                    if self._step(once):
                        break
                except SQLAlchemyError as e:
                    if not server_gone(self.cat, e):
                        raise
                    self._ride_out(e)
                self.stop_event.wait(self.poll)
        finally:
            observer.stop()
            if observer.is_alive():
                observer.join(timeout=5)
        # Leave nothing queued: the last station to stop indexes what the others left.
        try:
            drain_index_queue(self.cat, wait=EXIT_DRAIN_WAIT)
        except (BusyError, IndexDamagedError, SQLAlchemyError):
            pass  # nothing is lost: the queue stays in the catalog for the index holder, the next start or reindex
        return self.records

    def _step(self, once: bool) -> bool:
        """One look at the inbox: file what has settled; True when ``once`` is done."""
        if self._rescan_every and time.monotonic() - self._last_scan >= self._rescan_every:
            self.scan()
            self._last_scan = time.monotonic()
        self._drain_events()
        ready = self.tracker.ready()
        if ready:
            # The writer lock is let go between chunks, so a station starting up
            # (its repair needs the lock alone) or `dangan file` waits one chunk,
            # not the whole backlog.
            for part in chunks(ready, LOCK_CHUNK):
                self._process(part)
        elif once and len(self.tracker) == 0 and self._queue.empty():
            return True
        else:
            self._idle()
        return False

    def _ride_out(self, error: BaseException) -> None:
        """Wait for the catalog server; then repair what the cut left (a vault copy without its
        row, an original whose row did commit) and look at the inbox again: the file being
        filed when the server went is still there and is filed now."""
        if not wait_for_server(self.cat, error, stop=self.stop_event, note=self._note):
            return
        try:
            with writing(self.cat, "watch", forever=True, on_wait=self.on_wait, should_stop=self.stop_event.is_set):
                reconcile(self.cat, inbox=self.inbox)
        except BusyError:
            if not self.stop_event.is_set():
                raise
            return  # stopped while waiting: the next start repairs
        self.scan()

    def _idle(self) -> None:
        """Between batches, index what other stations queued (if this one can hold the index)."""
        if time.monotonic() - self._last_drain >= DRAIN_EVERY:
            self._last_drain = time.monotonic()
            try:
                drain_index_queue(self.cat)
            except IndexDamagedError:
                pass  # filing goes on; the queue waits in the catalog for `verify --repair`

    def _drain_events(self) -> None:
        while True:
            try:
                p = self._queue.get_nowait()
            except queue.Empty:
                return
            if self.candidate(p):
                self.tracker.touch(p)

    def _process(self, paths: list[Path]) -> None:
        try:
            self._file(paths)
        except BusyError:
            if not self.stop_event.is_set():
                raise
            # Stopped while waiting: nothing was taken, the files stay in the inbox.

    def _lock(self):
        # A watcher never gives up on the lock (a long reindex is no reason to die); it says
        # whom it waits for, and a stop request ends the wait.  It is held per file, for the
        # writing steps only, so `dangan file` and friends get in between.  With a PostgreSQL
        # catalog it is taken shared: stations file side by side (dangan.archive.dblock).
        return writing(
            self.cat, "watch", shared=True, forever=True, on_wait=self.on_wait, should_stop=self.stop_event.is_set
        )

    def _file(self, paths: list[Path]) -> None:
        ing = Ingester.for_catalog(self.cat, lock=self._lock)
        try:
            for path in originals_first(paths):
                if self.stop_event.is_set():
                    break  # stop after the file being filed; the rest stay in the inbox
                if not os.path.lexists(path):
                    continue
                rec = Record(path=path, project_hint=inbox_project(self.inbox, path), consume=True, inbox=self.inbox)
                for part in coversheet.take(ing, rec):  # a scanned batch with cover sheets: its parts
                    for done in (part, *part.attachments):  # a mail's attachments follow it
                        self.records.append(done)
                        if self.on_record:
                            self.on_record(done)
        finally:
            ing.flush_index()

    def install_signal_handlers(self) -> None:
        """SIGINT/SIGTERM finish the current file and stop (main thread only)."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop_event.set())
