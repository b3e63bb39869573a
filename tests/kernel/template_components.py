"""Stand-ins, in the kernel tests, for the classes the template connector's XML names.

The kernel must not import ``webconferencing``, so the acceptance test declares its own
tiny target component and provider plugin under the original Java names; the portal
classes its AddOnService object-param builds at parse time are declared too, as the
portal would provide them (without them the kernel drops the whole file, as eXo does).

The Java names are declared only while a test runs (``ALIASES``, with ``aliases_declared``): declared for good,
they would shadow the real product's classes in every test that runs later in the same process.

Importable as a top-level module because pytest puts tests/kernel on sys.path.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exo_container import ComponentPlugin, InitParams


class WebConferencingService:
    """Collects the call providers plugged in with ``addPlugin``."""

    def __init__(self) -> None:
        self.providers: list[MyConnectorProvider] = []

    def add_plugin(self, provider: "MyConnectorProvider") -> None:
        self.providers.append(provider)


class MyConnectorProvider(ComponentPlugin):
    """Reads ``provider-configuration`` as the original ``CallProvider`` constructor does."""

    def __init__(self, params: InitParams):
        configuration = params.get_properties_param("provider-configuration")
        self.config: dict[str, str] = configuration.get_properties() if configuration else {}


@dataclass
class TransientApplicationState:
    contentId: str | None = None  # noqa: N815 - the Java field name


@dataclass
class PortletApplication:
    state: Any = None


ALIASES = {
    "org.exoplatform.webconferencing.WebConferencingService": f"{__name__}.WebConferencingService",
    "org.exoplatform.webconferencing.myconnector.MyConnectorProvider": f"{__name__}.MyConnectorProvider",
    "org.exoplatform.portal.config.model.TransientApplicationState": f"{__name__}.TransientApplicationState",
    "org.exoplatform.portal.config.serialize.PortletApplication": f"{__name__}.PortletApplication",
}
