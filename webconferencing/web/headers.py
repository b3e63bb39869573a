"""Security headers on every response, and the endpoint that collects Content-Security-Policy violation reports.

Escaping user text (templates, ``textContent`` in the browser module) is the first defence against script injection;
the policy is the second: should an injection slip through anyway, the browser refuses to run it. So the policy
allows scripts and styles only from this origin's files (no ``'unsafe-inline'``, no ``eval``): pages pass their
data to scripts in ``<script type="application/json">`` blocks, which browsers never execute. Pages may be framed
only by this origin (the original portal framed nothing from elsewhere), which stops click-jacking of call buttons
and admin switches.

Browsers report what the policy blocked to ``/csp-report``; each report becomes one warning line in the server log,
so an injection attempt, or a connector that still writes inline script, shows up there. Anyone may post a report,
so each address gets a few lines a minute (``limits``' moving window, as the quotas use; in memory, per process:
it only keeps the log readable), and what is over is answered 429 and not logged.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import limits
from flask import Blueprint, Flask, Response, current_app, request
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from .safejson import parse_json

log = logging.getLogger("webconferencing.web.csp")

REPORT_PATH = "/csp-report"
REPORT_FIELDS = ("document-uri", "violated-directive", "effective-directive", "blocked-uri", "source-file",
                 "line-number")
REPORT_TEXT_MAX = 300  # characters of one field in the log line: a report is untrusted input
REPORT_RATE = limits.parse("30/minute")  # logged reports per client address; a real page causes a handful
REPORT_LIMITER = "webconferencing.csp_report_limiter"


@dataclass(frozen=True)
class SecurityHeaders:
    """The headers of one deployment; HTML responses get the page-only ones as well."""

    content_security_policy: str
    frame_options: str = "SAMEORIGIN"
    referrer_policy: str = "same-origin"

    def every_response(self) -> dict[str, str]:
        return {"X-Content-Type-Options": "nosniff", "Referrer-Policy": self.referrer_policy}

    def html_response(self) -> dict[str, str]:
        return {"Content-Security-Policy": self.content_security_policy, "X-Frame-Options": self.frame_options}


def content_security_policy(report_path: str = REPORT_PATH) -> str:
    """The policy of every page. ``connect-src 'self'`` covers the same-origin websocket (CSP level 3);
    ``blob:``/``mediastream:`` media are the WebRTC connector's local and remote videos."""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "media-src": "'self' blob: mediastream:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'self'",
        "report-uri": report_path,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


DEFAULT_HEADERS = SecurityHeaders(content_security_policy())

bp = Blueprint("security_headers", __name__)


def _clean(value: object) -> str:
    """One field of a report as a single bounded log-line fragment (no line breaks: it must not forge log lines)."""
    text = str(value)
    text = text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\x00", "\\0")
    return text[:REPORT_TEXT_MAX]


@bp.post(REPORT_PATH)
def csp_report():
    """A violation report (``application/csp-report``, the ``report-uri`` format): logged, never stored. Anonymous
    pages (login, errors) report too, so it needs no session; a report changes nothing but the log."""
    limiter: MovingWindowRateLimiter = current_app.extensions[REPORT_LIMITER]
    if not limiter.hit(REPORT_RATE, "csp-report", request.remote_addr or "unknown"):
        return Response(status=429)
    try:
        body = parse_json(request.get_data(cache=False) or b"{}")  # safejson: deep nesting is a 400, not a 500
    except ValueError:
        return Response(status=400)
    report = body.get("csp-report") if isinstance(body, dict) else None
    if not isinstance(report, dict):
        return Response(status=400)
    log.warning("CSP violation: %s", " ".join(f"{name}={_clean(report.get(name, ''))}" for name in REPORT_FIELDS))
    return Response(status=204)


def install(app: Flask, headers: SecurityHeaders = DEFAULT_HEADERS) -> None:
    """Add the headers to every response of ``app`` (pages, errors, REST, static files) and serve the report
    endpoint. A view that set one of these headers itself keeps its value."""

    def add_headers(response: Response) -> Response:
        wanted = dict(headers.every_response())
        if response.mimetype == "text/html":
            wanted.update(headers.html_response())
        for name, value in wanted.items():
            response.headers.setdefault(name, value)
        return response

    app.after_request(add_headers)
    app.extensions[REPORT_LIMITER] = MovingWindowRateLimiter(MemoryStorage())
    app.register_blueprint(bp)
