"""Init-params as components receive them (eXo's ``InitParams`` and its parameter kinds).

One ordered map keyed by parameter name across all four kinds: a later param with
the same name replaces an earlier one, whatever its kind (kernel semantics).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator


@dataclass
class Parameter:
    name: str
    description: str | None = None


@dataclass
class ValueParam(Parameter):
    value: str = ""

    def get_value(self) -> str:
        return self.value


@dataclass
class ValuesParam(Parameter):
    values: list[str] = field(default_factory=list)

    def get_values(self) -> list[str]:
        return list(self.values)


@dataclass
class PropertiesParam(Parameter):
    # insertion-ordered; a duplicate name replaces the value and keeps its first position
    properties: dict[str, str] = field(default_factory=dict)

    def get_property(self, name: str) -> str | None:
        return self.properties.get(name)

    def get_properties(self) -> dict[str, str]:
        return dict(self.properties)


@dataclass
class ObjectParameter(Parameter):
    # the object built at parse time from <object type=...> (Python instance)
    object: Any = None

    def get_object(self) -> Any:
        return self.object


class InitParams:
    """Ordered parameters of one component or plugin, addressed by name."""

    def __init__(self, params: list[Parameter] | None = None):
        self._params: dict[str, Parameter] = {}
        for p in params or ():
            self.add(p)

    def add(self, param: Parameter) -> None:
        params, name = self._params, param.name
        if name in params:
            del params[name]  # a replacement takes the later position
        params[name] = param

    def get(self, name: str) -> Parameter | None:
        return self._params.get(name)

    def _typed(self, name: str, kind: type) -> Any:
        p = self._params.get(name)
        return p if isinstance(p, kind) else None

    def get_value_param(self, name: str) -> ValueParam | None:
        return self._typed(name, ValueParam)

    def get_values_param(self, name: str) -> ValuesParam | None:
        return self._typed(name, ValuesParam)

    def get_properties_param(self, name: str) -> PropertiesParam | None:
        return self._typed(name, PropertiesParam)

    def get_object_param(self, name: str) -> ObjectParameter | None:
        return self._typed(name, ObjectParameter)

    def get_value_param_iterator(self) -> Iterator[ValueParam]:
        return (p for p in self._params.values() if isinstance(p, ValueParam))

    def get_values_param_iterator(self) -> Iterator[ValuesParam]:
        return (p for p in self._params.values() if isinstance(p, ValuesParam))

    def get_properties_param_iterator(self) -> Iterator[PropertiesParam]:
        return (p for p in self._params.values() if isinstance(p, PropertiesParam))

    def get_object_param_iterator(self) -> Iterator[ObjectParameter]:
        return (p for p in self._params.values() if isinstance(p, ObjectParameter))

    def __iter__(self) -> Iterator[Parameter]:
        return iter(list(self._params.values()))

    def __len__(self) -> int:
        return len(self._params)

    def __contains__(self, name: object) -> bool:
        return name in self._params

    def __repr__(self) -> str:
        return f"InitParams({list(self._params.values())!r})"
