"""The embedded broker (``filesystem://``: ``make run`` and the embedded tests) with each message written whole.

kombu's filesystem transport creates a message's file under its final name and then writes into it. A worker
that lists the folder in between moves that file away, reads it empty and stops on it (``JSONDecodeError:
Expecting value``; kombu issue #1551, open). CI saw it once, under load, in session 16: the worker died and
its test waited for a report that never came. Here a message is written under a name the worker skips (its
``_get`` takes only ``<time>_<uuid>.<queue>.msg``) and renamed into place once whole: ``os.replace`` within
one folder is atomic, so a worker sees the whole file or none.

``install`` points kombu's ``filesystem`` alias at this transport; ``config.celery`` calls it before the
Celery app exists, in every process that loads the project (web, worker, beat, tests)."""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):  # type: ignore[misc]
    def _put(self, queue: Any, message: Any, **kwargs: Any) -> None:  # type: ignore[override]  # kombu names it twice
        """Put ``message`` on ``queue``: written under a partial name, then renamed to the name kombu reads."""
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".partial-{uuid.uuid4()}")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(message)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):  # type: ignore[misc]
    Channel = Channel


def install() -> None:
    """Make ``filesystem://`` brokers use this transport in this process."""
    TRANSPORT_ALIASES["filesystem"] = f"{__name__}:Transport"
