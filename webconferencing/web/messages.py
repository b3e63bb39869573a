"""The browser's texts in the page's language (issue 11): the catalogue of the resource bundles
(:mod:`webconferencing.bundles`: the core's and every connector's ``portal.resource.names``) for
:func:`webconferencing.web.i18n.current_language`.

Pages embed it as ``<script type="application/json" id="webconferencing-messages">`` (``portal/_setup.html``): a data
block the Content-Security-Policy lets through and no browser runs, read by the module's ``i18n.js`` behind
``webConferencing.message(key, params)``. Embedded rather than fetched so that the first button label is already in
the right language, with no request before it. Templates of connectors use the same texts through the Jinja global
``bundle_message(key, *params)`` (``{0}``... placeholders, escaped by Jinja like any value), and core templates
show a text a connector may or may not ship with ``bundle_text(key, default)`` (the admin page's provider
descriptions: ``<type>.provider.description``, else the plugin's ``<description>``).
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from webconferencing.bundles import ResourceBundleService

from .i18n import current_language

BLOCK_ID = "webconferencing-messages"
EXTENSION_KEY = "webconferencing.resource_bundles"


def install(app: Flask, container: Any) -> None:
    """Keep the container's ResourceBundleService for the pages and give templates the two helpers."""
    bundles = container.get_component_instance_of_type(ResourceBundleService)
    if bundles is None:
        raise LookupError("The container has no org.exoplatform.services.resources.ResourceBundleService: "
                          "check configuration.xml")
    app.extensions[EXTENSION_KEY] = bundles
    app.jinja_env.globals.update(wc_messages=page_messages, wc_messages_id=BLOCK_ID, bundle_message=bundle_message,
                                 bundle_text=bundle_text)


def bundles() -> ResourceBundleService:
    return current_app.extensions[EXTENSION_KEY]


def page_messages() -> dict[str, Any]:
    """``{language, messages}`` for the data block: every portal bundle merged, in the request's language."""
    language = current_language()
    return {"language": language, "messages": bundles().get_portal_catalogue(language)}


def bundle_message(key: str, *params: Any) -> str:
    """One text of the portal bundles in the request's language, ``{0}``... replaced by ``params``."""
    return bundles().get_message(bundles().get_shared_resource_bundle_names(), key, current_language(), params)


def bundle_text(key: str, default: str | None) -> str | None:
    """The portal bundles' text of ``key`` in the request's language when one ships it, else ``default``."""
    return bundles().get_portal_catalogue(current_language()).get(key, default)
