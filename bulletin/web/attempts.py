"""Office login attempts, limited per client address and for the office account (issue 22 item 7: 120 guesses
in 4 s from one address, the 1 s delay being per request on a thread pool).

A sliding window (the `limits` library's moving window, in memory: `bulletin serve` is one process): at most
PER_ADDRESS attempts from one client address (whichever accounts it tries) and PER_ACCOUNT attempts at one
account (a named account, or the shared BULLETIN_WEB_PASSWORD login) within WINDOW. The account window was one
for all logins while the desk had one password; with named accounts that let thirty guesses at one clerk's
password lock every other clerk out, so each account has its own. An attempt is counted before the password is looked at, under a lock, so a
burst of parallel guesses cannot all slip in before the first is counted; a successful login clears its
address's window (not the account's). Refused attempts are not counted, so the wait does not grow while
someone keeps trying. The wait is told in minutes, in Chinese, and as Retry-After.

The client address is the connection's, or X-Forwarded-For when the connection comes from the reverse proxy
on 127.0.0.1 (uvicorn's proxy headers, trusted from 127.0.0.1 only: see `bulletin serve`). Restarting
`bulletin serve` forgets every window (the way to let the office in at once after an attack locked it out).
"""

from __future__ import annotations

import math
import threading
import time
import unicodedata

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

WINDOW_MINUTES = 15
PER_ADDRESS = parse(f"10/{WINDOW_MINUTES} minutes")
PER_ACCOUNT = parse(f"30/{WINDOW_MINUTES} minutes")
ACCOUNT = "office"  # the window of the shared BULLETIN_WEB_PASSWORD login (no account name)


def wait_text(seconds: int) -> str:
    return f"尝试次数过多，请 {max(1, math.ceil(seconds / 60))} 分钟后再试。"


class LoginAttempts:
    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._lock = threading.Lock()

    def take(self, address: str, account: str = "") -> int:
        """Count one attempt from `address` at `account` (a name as typed; "" the shared password): 0 when it may
        go on, else the seconds to wait (nothing counted)."""
        name = unicodedata.normalize("NFC", account).strip()  # as accounts.login reads it: one window per account
        key = "named:" + name[:100] if name else ACCOUNT
        windows = ((PER_ADDRESS, "address", address), (PER_ACCOUNT, "account", key))
        with self._lock:
            for item, *key in windows:
                if not self._limiter.test(item, *key):
                    reset = self._limiter.get_window_stats(item, *key).reset_time
                    return max(1, math.ceil(reset - time.time()))
            for item, *key in windows:
                self._limiter.hit(item, *key)
        return 0

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._limiter.clear(PER_ADDRESS, "address", address)
