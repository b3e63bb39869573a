"""Application code in the shape the web layer can take: functions that get components
through dependency-injector's wiring, knowing only provider names (see test_di.py)."""
from __future__ import annotations

from dependency_injector.wiring import Provide, inject


@inject
def greeting(name: str, greeter=Provide["greeter"]) -> str:
    return greeter.greet(name)


@inject
def injected_clock(clock=Provide["clock"]) -> object:
    """What the wiring injects (the ``Provide`` marker itself when not wired)."""
    return clock
