"""What ``${}`` resolves against in the files of a portal container.

The kernel answers two families of keys only inside a portal container (never from the
properties, never in the root container): ``${portal.container.X}`` (the portal's
settings: ``name``, ``rest``, ``realm`` and its definition's settings, typed values
written as Java's ``String.valueOf`` does) and ``${container.name.suffix}`` (``_<portal
name>`` once definitions exist, else empty). Here a portal container's files are the
installed packages' ``conf/portal/configuration.xml``, its extensions'
``WEB-INF/conf/configuration.xml`` and ``${exo.conf.dir}/portal/<name>/configuration.xml``
(see :mod:`exo_container.boot`); each portal container has its own ``PortalVariables``.
"""
from __future__ import annotations

from dataclasses import dataclass

from .extensions import PortalContainerConfig, java_string
from .properties import CONTAINER_NAME_SUFFIX, PORTAL_CONTAINER_PREFIX, PropertyStore


@dataclass
class PortalVariables:
    """A ``lookup`` for the files of portal ``portal`` (the default one when None)."""

    properties: PropertyStore
    config: PortalContainerConfig
    portal: str | None = None

    def lookup(self, key: str) -> str | None:
        if key == CONTAINER_NAME_SUFFIX:  # "_" + this portal's name once definitions exist (Deserializer)
            if self.portal is None or not self.config.has_definition():
                return self.config.container_name_suffix()
            return f"_{self.portal}"
        if key.startswith(PORTAL_CONTAINER_PREFIX):
            value = self.config.get_setting(key[len(PORTAL_CONTAINER_PREFIX):], self.portal)
            return None if value is None else java_string(value)
        return self.properties.lookup(key)
