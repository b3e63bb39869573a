"""The kernel's two kinds of containers: one ``RootContainer`` and its ``PortalContainer``\\ s.

Why two: in eXo the root container holds the services of the whole server (read from
every jar's ``conf/configuration.xml`` and the deployer's root file) and each portal
container holds those of one portal (every jar's ``conf/portal/configuration.xml``, then
the portal's webapps, in dependency order), where ``${portal.container.*}`` mean
something. A component declared in both exists twice, configured separately; a portal
container that lacks a component asks the root; the root never sees a portal's
components, and plugins only reach components of the container whose files declare them
(:class:`exo_container.container.ExoContainer` implements the lookups).

Lifecycle, as in the kernel (portal containers are Startable components of the root,
registered after the root's own components): the root starts before its portal
containers and stops after them; disposing follows the stop order.

:func:`exo_container.boot.boot` hands out the default portal container, because that is
where the product's components are and it reaches the root's by fallback. That portal
container *owns* the root boot made for it (``owns_root``): its ``start``/``stop``/
``dispose``/``verify`` act on the whole hierarchy (the root, then every portal), so a
caller holding only what ``boot()`` returned still stops the database and the broker
that live in the root. A portal container built by hand (``owns_root=False``) stops alone.
"""
from __future__ import annotations

from typing import Any

from .container import STARTED, ExoContainer
from .errors import ConfigurationError


class RootContainer(ExoContainer):
    """The root of the hierarchy: parent of every portal container, registered in it by name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("name", "root")
        super().__init__(*args, **kwargs)
        self.portal_containers: list[PortalContainer] = []

    def _add_portal_container(self, portal: "PortalContainer") -> None:
        """Called by the portal container's constructor: the kernel registers it in the root under its name."""
        self.register_component_instance(portal.name, portal)
        self.portal_containers.append(portal)

    def get_portal_container(self, name: str) -> "PortalContainer | None":
        """The portal container named ``name`` (the kernel's ``RootContainer.getPortalContainer``)."""
        return next((p for p in self.portal_containers if p.name == name), None)

    def start(self) -> None:
        """Start the root's components, then each portal container's, in creation order. When a portal
        container fails to start, what was started is stopped (portals, then the root) before the error
        propagates: a failed boot leaves no service running."""
        super().start()
        try:
            for portal in self.portal_containers:
                ExoContainer.start(portal)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the portal containers (last created first), then the root's components."""
        for portal in reversed(self.portal_containers):
            ExoContainer.stop(portal)
        super().stop()

    def dispose(self) -> None:
        """Stop everything, then dispose the portal containers, then the root."""
        self.stop()
        for portal in reversed(self.portal_containers):
            ExoContainer.dispose(portal)
        super().dispose()

    def verify(self) -> list[ConfigurationError]:
        """The root's problems of wiring, then each portal container's."""
        found = super().verify()
        for portal in self.portal_containers:
            found.extend(ExoContainer.verify(portal))
        return found


class PortalContainer(ExoContainer):
    """One portal container (one per ``PortalContainerDefinition``), child of ``parent``, a :class:`RootContainer`.

    Its dependency-injector container (:attr:`di`) also carries the root's providers whose
    names none of its own components took, so ``Provide["database"]`` wires a root
    component from a portal container as a lookup by key would find it; they are the
    root's providers themselves, so overriding one is seen by the root too.
    """

    def __init__(self, *args: Any, parent: RootContainer, name: str, owns_root: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, parent=parent, name=name, **kwargs)
        self.owns_root = owns_root
        parent._add_portal_container(self)
        for provider_name, provider in parent.di.providers.items():
            if not self._name_taken(provider_name):
                self.di.set_provider(provider_name, provider)

    @property
    def root(self) -> RootContainer:
        return self.parent  # type: ignore[return-value]

    def start(self) -> None:
        """Start this portal container, after its root (starting the root starts all its portal containers)."""
        if self.root.state != STARTED:
            self.root.start()
        else:
            super().start()

    def stop(self) -> None:
        """Stop this portal container; when it owns the root, the whole hierarchy (root last)."""
        (self.root.stop if self.owns_root else super().stop)()

    def dispose(self) -> None:
        """Dispose this portal container; when it owns the root, the whole hierarchy (root last)."""
        (self.root.dispose if self.owns_root else super().dispose)()

    def verify(self) -> list[ConfigurationError]:
        """This portal container's wiring problems; when it owns the root, the whole hierarchy's."""
        return self.root.verify() if self.owns_root else super().verify()
