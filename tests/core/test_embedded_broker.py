"""The embedded broker writes each message whole (``core.embedded_broker``): kombu's ``filesystem://`` resolves to
it in every process that loads the project, a message appears in the queue's folder only complete, and a file
still being written (its partial name) is skipped by the worker, not read empty (kombu issue #1551)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kombu import Connection
from kombu.transport.virtual.base import Empty

from config.env import filesystem_broker_options
from core import embedded_broker

pytestmark = pytest.mark.embedded


def _connection(folder: Path) -> Connection:
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir(exist_ok=True)
    return Connection("filesystem://", transport_options=filesystem_broker_options(folder))


def test_filesystem_brokers_use_the_whole_message_transport(tmp_path: Path) -> None:
    with _connection(tmp_path) as connection:
        assert isinstance(connection.transport, embedded_broker.Transport)
        assert isinstance(connection.default_channel, embedded_broker.Channel)


def test_a_message_is_in_the_folder_whole_or_not_at_all(tmp_path: Path) -> None:
    with _connection(tmp_path) as connection:
        channel = connection.default_channel
        channel._put("jobs", {"body": "x" * 100_000})

        files = list((tmp_path / "queue").iterdir())
        assert [file.name.endswith(".jobs.msg") for file in files] == [True]
        assert json.loads(files[0].read_text())["body"] == "x" * 100_000
        assert channel._get("jobs") == {"body": "x" * 100_000}


def test_a_file_still_being_written_is_skipped_not_read_empty(tmp_path: Path) -> None:
    """What the design rests on: kombu's ``_get`` takes only ``<...>.<queue>.msg`` names, so the partial name
    this transport writes under is never read (a kombu that took every file would fail here)."""
    with _connection(tmp_path) as connection:
        channel = connection.default_channel
        (tmp_path / "queue" / ".partial-0123").write_bytes(b"")  # a message another process is writing

        with pytest.raises(Empty):
            channel._get("jobs")
        channel._put("jobs", {"n": 1})
        assert channel._get("jobs") == {"n": 1}
        assert [file.name for file in (tmp_path / "queue").iterdir()] == [".partial-0123"]


def test_a_worker_reading_while_a_message_is_written_finds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race itself, made to happen: the worker lists the folder while the message is being written (here,
    from inside its serialisation). kombu's own channel has created the final file by then and the worker
    reads it empty (``JSONDecodeError``); this one has written nothing under a name the worker takes."""
    seen: list[object] = []
    with _connection(tmp_path) as connection:
        channel = connection.default_channel

        def dumps_while_a_worker_reads(message: object) -> str:
            try:
                seen.append(channel._get("jobs"))
            except Exception as error:  # what the worker would meet
                seen.append(type(error).__name__)
            return json.dumps(message)

        monkeypatch.setattr(embedded_broker, "dumps", dumps_while_a_worker_reads)
        channel._put("jobs", {"n": 2})

        assert seen == ["Empty"]
        assert channel._get("jobs") == {"n": 2}
