"""Waiting for another run of the same work (two compiles, two fetches): say so at once, then wait a bounded
time, then give up in Chinese. One file lock per kind of work in the workspace's state folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from .errors import BulletinError

WAIT_SECONDS = 600


@contextmanager
def waiting_lock(lock: FileLock, busy: str, on_wait: Callable[[], None] | None = None,
                 wait_seconds: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold `lock`; when another process has it, call `on_wait` (a door tells its user) and wait up to
    `wait_seconds`; then raise BulletinError(`busy` + "，等待超时，请稍后再试。")."""
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait()
        try:
            lock.acquire(timeout=wait_seconds)
        except Timeout:
            raise BulletinError(f"{busy}，等待超时，请稍后再试。") from None
    try:
        yield
    finally:
        lock.release()
