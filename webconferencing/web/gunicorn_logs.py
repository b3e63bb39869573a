"""gunicorn's own log lines (its master and workers starting, signals, worker timeouts) in the server's format, so
that with ``exo.server.log.format=json`` every line of the output is JSON for the log shipper, not only the app's.

gunicorn formats its ``gunicorn.error`` logger itself (``[date] [pid] [LEVEL] message``); this logger class swaps
that formatter for the one :func:`webconferencing.observability.logs.configure` chose, after gunicorn set it up.
"""
from __future__ import annotations

from gunicorn.glogging import Logger

from webconferencing.observability import logs


class ServerFormatLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        chosen = logs.configured_formatter()
        for handler in self.error_log.handlers:
            handler.setFormatter(chosen)
