"""gunicorn's configuration for the image (``gunicorn --config python:config.gunicorn``).

gunicorn writes ``Server: gunicorn`` into every response itself, below the application, so neither Django
nor whitenoise can take it off. This configuration, loaded by the master process before it forks its
workers, makes gunicorn leave the header out: the server does not announce what it runs.
"""

from __future__ import annotations

from typing import Any

from gunicorn.http import wsgi


def _without_server_header(default_headers: Any) -> Any:
    def headers(self: wsgi.Response) -> list[str]:
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    headers.tandem_without_server = True  # type: ignore[attr-defined]
    return headers


if not getattr(wsgi.Response.default_headers, "tandem_without_server", False):  # loaded again on HUP
    wsgi.Response.default_headers = _without_server_header(wsgi.Response.default_headers)  # type: ignore[method-assign]
