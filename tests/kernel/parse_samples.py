"""Classes that object-params in the parser tests instantiate (``parse_samples.Person`` ...).

Importable as a top-level module because pytest puts tests/kernel on sys.path.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from exo_container.aliases import java_name


@java_name("org.exoplatform.container.xml.Person", "org.exoplatform.test.Outer$Person")
@dataclass
class Person:
    a: str = ""
    b: str = ""
    c: str = ""
    d: str = ""
    age: int = 0
    size: float = 0.0
    married: bool = False
    birth: datetime | None = None
    nicknames: list[str] = field(default_factory=list)


class MyObject:
    """A plain class whose fields exist only as annotations (Java private fields)."""

    field1: str
    field2: int
    field3: int
    field4: float
    field5: bool
    field6: dict
    field7: Any
    field8: Any

    def compute(self) -> int:
        return 0


class MyBean:
    def __init__(self) -> None:
        self.value = None


class NeedsArguments:
    def __init__(self, required: str) -> None:
        self.required = required


@dataclass
class Role:
    role: list[str] = field(default_factory=list)


@dataclass
class TypedValues:
    booleans: list[bool] = field(default_factory=list)
    ints: list[int] = field(default_factory=list)
    doubles: list[float] = field(default_factory=list)
