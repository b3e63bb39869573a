"""What an operator sees of a running server: Prometheus metrics (:mod:`.metrics`, shared by every gunicorn worker
through :mod:`.multiprocess`), structured log lines with the request they belong to (:mod:`.logs`) and the call
census read from the database at scrape time (:mod:`.census`).

Core-level on purpose (no Flask): the service's metering and the brokers record here too; the HTTP side
(``/metrics``, ``/health/*``, request ids) lives in :mod:`webconferencing.web`.
"""
