"""Work the answer must not wait for — sending a sign-in link — done in order by one thread of
its own, so that a known and an unknown address get the same answer in the same time."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from ctcflow.core.scope import carried

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._jobs: queue.Queue[Callable[[], None]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ctc-web-background", daemon=True)
                self._thread.start()
        self._jobs.put(carried(job))  # done for the tenant of the request that asked

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except Exception:  # one failed sending must not stop the next; the outbox retries it
                log.exception("background job failed")
