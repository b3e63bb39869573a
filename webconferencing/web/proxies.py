"""Trusting a reverse proxy's ``X-Forwarded-*`` headers, when configured.

Behind nginx every request comes from nginx's address: the login throttle (per address) and any per-address quota
would count all users as one. ``exo.server.trusted.proxies`` says how many proxies stand in front of the server
(normally 1, the nginx of ``deploy/``); werkzeug's ProxyFix then takes the client address, scheme and host (with
its port, as the browser sent it) from that many hops of ``X-Forwarded-For``/``-Proto``/``-Host``, counted from the
right, where the trusted proxies wrote them. 0 (the default) trusts none: a client talking to the server directly could otherwise claim any address and
escape the throttle.
"""
from __future__ import annotations

from typing import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from exo_container.errors import InvalidProperty

TRUSTED_PROXIES = "exo.server.trusted.proxies"


def trusted_proxies(props: Mapping[str, str]) -> int:
    raw = (props.get(TRUSTED_PROXIES) or "").strip()
    if not raw:
        return 0
    try:
        count = int(raw)
    except ValueError:
        raise InvalidProperty(TRUSTED_PROXIES, f"'{raw}' is not a number of proxies") from None
    if count < 0:
        raise InvalidProperty(TRUSTED_PROXIES, f"{count} must be 0 or more")
    return count


def install(app: Flask, count: int) -> None:
    if count:
        # no x_port: X-Forwarded-Host already carries the port the browser used (or none for 443), so the host
        # matches the browser's Origin (the websocket's same-origin check); a separate port would append ":443"
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
