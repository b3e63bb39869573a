"""Base of component plugins (eXo's ``BaseComponentPlugin``).

The container sets name and description from the XML before it hands the plugin to
the target's set-method, so plugin classes only need a constructor.
"""
from __future__ import annotations


class ComponentPlugin:
    name: str | None = None
    description: str | None = None

    def get_name(self) -> str | None:
        return self.name

    def set_name(self, name: str | None) -> None:
        self.name = name

    def get_description(self) -> str | None:
        return self.description

    def set_description(self, description: str | None) -> None:
        self.description = description


BaseComponentPlugin = ComponentPlugin
