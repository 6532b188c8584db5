"""How often one client, or one person, may ask for something (a sign-in link): a sliding window
per key, kept in the process. Enough for one `ctc web`; several processes behind a proxy each
count their own share, so the proxy's own limit is the outer fence."""

from __future__ import annotations

import threading
import time
from collections import deque


class Throttle:
    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Counts this request; False when the key has used up its window."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 10_000:  # forget the idle ones rather than grow without end
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - self.seconds}
            window = self._seen.setdefault(key, deque())
            while window and window[0] <= now - self.seconds:
                window.popleft()
            if len(window) >= self.limit:
                return False
            window.append(now)
            return True
