"""What ``exo-container check`` can tell from the configuration alone, loading no project class.

The deep checks (classes exist, constructors are satisfiable, set-methods exist) need
the classes: :meth:`exo_container.container.ExoContainer.verify`. Without them, an
external-plugins target can still be compared with the components by name: the key or
type as written, its Python path when it is a known Java alias, and the Java aliases
of a Python path.
"""
from __future__ import annotations

import difflib

from .aliases import known_aliases
from .codepolicy import python_path
from .container import ExoContainer, unknown_target_warning
from .errors import ConfigurationWarning
from .extensions import PortalContainerConfig
from .injection import qualified_name
from .properties import PropertyStore
from .xml.model import Configuration

# registered as instances by every boot, so never in the configuration's components
BUILT_INS = (ExoContainer, PropertyStore, PortalContainerConfig)


def unknown_external_targets(configuration: Configuration) -> list[ConfigurationWarning]:
    """A warning for each external-plugins block whose target names no configured component."""
    if not configuration.external_plugins:
        return []
    java_names: dict[str, list[str]] = {}
    for java, python in known_aliases().items():
        java_names.setdefault(python, []).append(java)
    names: set[str] = set()
    for cls in BUILT_INS:
        names.update((qualified_name(cls), *java_names.get(qualified_name(cls), ())))
    for component in configuration.components.values():
        for name in filter(None, (component.key, component.type)):
            path = python_path(name)
            names.update((name, path, *java_names.get(path, ())))
    return [unknown_target_warning(block) for target, block in configuration.external_plugins.items()
            if block.plugins and target not in names]


def misspelled_properties(properties: PropertyStore, referenced: set[str]) -> list[ConfigurationWarning]:
    """A warning for each property set by a properties file that no ``${}`` asks for while one
    of the same prefix, very close to it, is asked for: ``webconferencing.webrtc.maxParticipant``
    set, ``webconferencing.webrtc.maxParticipants`` read. A property nothing resembles is not
    flagged: code may read it directly (``exo.server.port``)."""
    unasked = sorted((name, origin) for name, origin in properties.origins.items() if name not in referenced)
    if not unasked:  # the usual case: then the (many) referenced names need no grouping
        return []
    prefixes = {name.rpartition(".")[0] for name, _ in unasked}
    by_prefix: dict[str, list[str]] = {}
    for key in referenced:
        prefix = key.rpartition(".")[0]
        if prefix in prefixes:
            by_prefix.setdefault(prefix, []).append(key)
    found = []
    for name, (file, line) in unasked:
        candidates = by_prefix.get(name.rpartition(".")[0], [])
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.85)
        if close:
            found.append(ConfigurationWarning(
                f"property {name} is set but no configuration asks for it: did you mean {close[0]}?", file, line))
    return found
