"""Servers that misbehave like a broker or database in trouble, on loopback, for the fault tests.

- :func:`closed_port`: an address nothing listens on (connections are refused at once: a server down).
- :class:`HungServer`: a socket that accepts connections and never answers, never closes (a stuck Redis, a
  half-open network): a client without timeouts waits on it for ever.
- :func:`broker_at`: the Celery app pointed at one of those for a block, then back at the real broker.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from django.conf import settings

from config.celery import app as celery_app
from core import queueing


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed: refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class HungServer:
    """``with HungServer() as server:`` listens on ``server.port``, accepts every connection, reads what it
    is sent and never answers. Connections are closed when the block ends."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hung-server", daemon=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.setblocking(False)
            self.accepted.append(conn)  # kept open, never read from, never answered

    def __enter__(self) -> HungServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self.accepted:
            conn.close()
        self._listener.close()


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[str]:
    """Point the Celery app (publishing, ``/healthz``) at ``url`` for the block, with Redis's transport options
    of the settings (timeouts included), then back at the configured broker.

    ``override_settings`` cannot do this: the app read its configuration at import, keeps a pool of
    connections to the broker, and prefers the ``CELERY_BROKER_URL`` environment variable over its
    configuration. A failure remembered by ``core.queueing`` is forgotten both ways.
    """
    conf = celery_app.conf
    saved_env = {name: os.environ.get(name) for name in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL")}
    saved = (conf.broker_url, conf.broker_transport_options)

    def use(broker_url: str, options: dict[str, Any]) -> None:
        conf.broker_url = broker_url
        conf.broker_transport_options = options
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        queueing.reset()

    os.environ["CELERY_BROKER_URL"] = url
    os.environ.pop("CELERY_BROKER_WRITE_URL", None)
    use(url, dict(settings.REDIS_BROKER_TRANSPORT_OPTIONS))
    try:
        yield url
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        use(*saved)
