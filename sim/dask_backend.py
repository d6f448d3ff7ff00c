"""Running chunks on a Dask cluster, with bounded waits and one-line failures.

A network backend can fail in ways a local pool cannot: nothing answers at the address,
the workers die, the scheduler dies.  Each is turned into a
:class:`~sim.errors.BackendError` within a bounded time, :data:`TIMEOUT_ENV` seconds
(default :data:`DEFAULT_TIMEOUT`), rather than a silent hang or distributed's own log
lines and tracebacks:

- connecting: a scheduler that does not complete the handshake within the timeout;
- during the job: the scheduler not answering, or no worker attached, for longer than
  the timeout (checked whenever no chunk has finished for :data:`POLL_SECONDS`);
- a chunk whose workers keep dying (``KilledWorker``) or that the cluster cancels.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, Executor, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from .errors import BackendError, ScenarioError

TIMEOUT_ENV = "CEASEFIRE_CONNECT_TIMEOUT"
DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for a Dask scheduler to answer (connecting, or during a job)."""

POLL_SECONDS = 1.0
"""How often a job with no chunk finishing checks that its cluster is still there."""

_QUIET = ("distributed", "tornado")
"""Loggers whose messages on a lost cluster our one-line error replaces."""


def connect_timeout() -> float:
    """The timeout in seconds: ``$CEASEFIRE_CONNECT_TIMEOUT`` or :data:`DEFAULT_TIMEOUT`.

    Raises
    ------
    ScenarioError
        When the variable is set to anything but a positive number of seconds.
    """
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 86400:
        raise ScenarioError(TIMEOUT_ENV, "", f"must be a number of seconds above 0, got {text!r}")
    return value


class DaskExecutor(Executor):
    """A Dask client's executor that watches its cluster while results are awaited."""

    def __init__(self, client: Any, address: str, timeout: float) -> None:
        self.client, self.address, self.timeout = client, address, timeout
        self._executor = client.get_executor()
        self._alone_since: float | None = None

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def results(self, futures: Sequence[Future]) -> Iterator[Any]:
        """Each future's result as it completes.

        Raises
        ------
        BackendError
            When the cluster is lost (see the module's description).
        """
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=POLL_SECONDS, return_when="FIRST_COMPLETED")
            for future in done:
                yield self._result(future)
            if not done:
                self.check()

    def _result(self, future: Future) -> Any:
        from distributed.client import FutureCancelledError
        from distributed.comm.core import CommClosedError
        from distributed.scheduler import KilledWorker

        try:
            return future.result()
        except KilledWorker:
            raise BackendError(
                f"{self.address}: Dask workers died running a chunk (out of memory or killed?)"
            ) from None
        except (CancelledError, FutureCancelledError, CommClosedError, FutureTimeout) as err:
            raise BackendError(
                f"{self.address}: the Dask cluster was lost during the job ({type(err).__name__})"
            ) from None

    def check(self) -> None:
        """Raise :class:`BackendError` when the scheduler or every worker has been gone
        for longer than the timeout."""
        try:
            workers = self.client.sync(self.client.scheduler.ncores, callback_timeout=self.timeout)
        except Exception:  # noqa: BLE001 - any failure to answer is the same to the user
            raise BackendError(
                f"{self.address}: the Dask scheduler stopped answering during the job"
            ) from None
        if workers:
            self._alone_since = None
            return
        now = time.monotonic()
        self._alone_since = self._alone_since or now
        if now - self._alone_since > self.timeout:
            raise BackendError(
                f"{self.address}: no Dask workers left for {self.timeout:g} s "
                f"(timeout: {TIMEOUT_ENV})"
            )

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with contextlib.suppress(Exception):  # the cluster may already be gone
            self.client.close(timeout=self.timeout)


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[DaskExecutor]:
    """A watched executor on the Dask scheduler at ``address``.

    Raises
    ------
    BackendError
        When no scheduler completes the handshake within the timeout, or the cluster is
        lost during the job.
    """
    try:
        from distributed import Client
    except ImportError:
        raise RuntimeError(
            "--scheduler needs dask.distributed: pip install 'ceasefire[dask]'"
        ) from None
    timeout = connect_timeout()
    with _quiet_logs():
        _probe(address, timeout)
        try:
            client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as err:
            raise BackendError(_unreachable(address, timeout, err)) from None
        executor = DaskExecutor(client, address, timeout)
        try:
            yield executor
        finally:
            executor.shutdown()


def _probe(address: str, timeout: float) -> None:
    """Fail within ``timeout`` when nothing at ``address`` speaks Dask's handshake.

    ``Client(timeout=...)`` bounds the TCP connection but not the handshake after it: a
    port that accepts and stays silent would hang it for good.
    """
    from distributed.comm import connect

    _first_frame(address, timeout)

    async def handshake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        await comm.close()

    try:
        asyncio.run(handshake())
    except (OSError, TimeoutError, ValueError) as err:
        raise BackendError(_unreachable(address, timeout, err)) from None


MAX_HANDSHAKE_BYTES = 1024**2
"""The largest first message taken from a scheduler (Dask's handshake is a few hundred
bytes); a server announcing more speaks another protocol."""


def _first_frame(address: str, timeout: float) -> None:
    """Read the first 8 bytes a ``tcp://`` scheduler sends on connecting (Dask's server
    speaks first: the length of its handshake) and refuse anything that is not a plausible
    Dask handshake, before distributed reads it: an HTTP server's ``HTTP/1.1`` read as a
    length is 3 EiB, which distributed would try to allocate.

    Raises
    ------
    BackendError
        Nothing answers within ``timeout``, the connection is closed at once, or the first
        bytes are not a Dask handshake's length.
    """
    import socket
    import struct

    scheme, sep, location = address.rpartition("://")
    if sep and scheme.lower() != "tcp":
        return  # tls:// is encrypted, inproc:// and ucx:// are not sockets to read raw
    host, _, port = location.rpartition(":")
    host = host[1:-1] if host.startswith("[") else host
    began = time.monotonic()
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as sock:
            data = b""
            while len(data) < 8:
                left = timeout - (time.monotonic() - began)
                if left <= 0:
                    raise TimeoutError
                sock.settimeout(left)
                piece = sock.recv(8 - len(data))
                if not piece:
                    raise BackendError(
                        f"{address}: not a Dask scheduler (it closed the connection without "
                        "a handshake)"
                    )
                data += piece
    except TimeoutError:
        raise BackendError(_unreachable(address, timeout, TimeoutError())) from None
    except OSError as err:
        raise BackendError(_unreachable(address, timeout, err)) from None
    (length,) = struct.unpack("<Q", data)
    if not 0 < length <= MAX_HANDSHAKE_BYTES:
        shown = data.decode("ascii", "replace")
        raise BackendError(
            f"{address}: not a Dask scheduler (it speaks another protocol: its first bytes "
            f"are {shown!r})"
        )


def _unreachable(address: str, timeout: float, err: BaseException) -> str:
    reason = "no answer" if isinstance(err, TimeoutError) else type(err).__name__
    return (
        f"{address}: no Dask scheduler answered within {timeout:g} s ({reason}; "
        f"timeout: {TIMEOUT_ENV})"
    )


@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    # dask's logging config gives child loggers (distributed.client, ...) levels of their
    # own, so each is silenced, not only the parents
    names = [name for name in list(logging.root.manager.loggerDict) if name.split(".")[0] in _QUIET]
    loggers = [logging.getLogger(name) for name in (*_QUIET, *names)]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
