"""Work off the GUI thread: jobs on a thread pool that report back by signal.

    runner = Runner("drafting", threads=1)
    job = runner.submit(work, done=on_done, failed=on_failed, progress=on_progress)
    job.cancel()            # `work` sees job.cancelled() turn True
    runner.shutdown()       # cancels everything and waits for the threads to finish

`work(job)` runs on a pool thread; it may call `job.progress(value)` any number of times and
returns its result. Signals are delivered on the GUI thread (queued connections), so callbacks
may touch widgets. A job whose work raises reports the exception through `failed`; nothing is
lost silently: exceptions nobody listens for are logged.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]

_RUNNERS: weakref.WeakSet[Runner] = weakref.WeakSet()


def live_runners() -> list[Runner]:
    """Every runner not yet garbage-collected (tests check none is left busy)."""
    return list(_RUNNERS)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(object)
    finished = Signal()


class Job(QRunnable):
    """One piece of work; `cancel()` asks it to stop, `cancelled()` is what the work polls."""

    def __init__(self, work: Callable[[Job], Any], name: str) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner holds it until its signals are delivered
        self.name = name
        self.signals = _Signals()
        self._work = work
        self._cancel = threading.Event()
        self.started = threading.Event()
        self.reports_failures = False  # set when someone listens to `failed`

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, value: Any) -> None:
        if not self.cancelled():
            self.signals.progress.emit(value)

    def run(self) -> None:
        self.started.set()
        try:
            if self.cancelled():
                return
            result = self._work(self)
        except Exception as exc:  # a worker's boundary: the error goes back to the GUI thread
            if not self.reports_failures:
                log.exception("job %s failed and nobody listens", self.name)
            self.signals.failed.emit(exc)
        else:
            if not self.cancelled():
                self.signals.done.emit(result)
        finally:
            self.signals.finished.emit()


class Runner(QObject):
    """A named pool of worker threads that knows its jobs, so it can stop them all."""

    def __init__(self, name: str, threads: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._pool.setExpiryTimeout(2000)
        self._jobs: set[Job] = set()
        _RUNNERS.add(self)

    def submit(self, work: Callable[[Job], Any], *, done: Callback | None = None,
               failed: Callback | None = None, progress: Callback | None = None) -> Job:
        job = Job(work, self.name)
        if done is not None:
            job.signals.done.connect(done)
        if failed is not None:
            job.signals.failed.connect(failed)
            job.reports_failures = True
        if progress is not None:
            job.signals.progress.connect(progress)
        job.signals.finished.connect(lambda: self._forget(job))
        self._jobs.add(job)
        self._pool.start(job)
        return job

    def busy(self) -> bool:
        return bool(self._jobs)

    def active_threads(self) -> int:
        """Threads running a job right now (idle threads waiting to expire do not count)."""
        try:
            return int(self._pool.activeThreadCount())
        except RuntimeError:  # the pool's C++ side is already gone with its parent
            return 0

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until every job has finished (tests, shutdown)."""
        return bool(self._pool.waitForDone(timeout_ms))

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Cancel every job, wait for the threads, and let the idle threads go."""
        self.cancel_all()
        self._pool.clear()  # queued jobs that never started
        if not self._pool.waitForDone(timeout_ms):
            log.error("%s: jobs still running after %d ms", self.name, timeout_ms)
        self._jobs.clear()

    def _forget(self, job: Job) -> None:
        self._jobs.discard(job)
