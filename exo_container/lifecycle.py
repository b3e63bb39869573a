"""Lifecycle contracts the container honours, named as in the eXo kernel (picocontainer)."""
from __future__ import annotations

from abc import ABC, abstractmethod


class Startable(ABC):
    """Started after its dependencies when the container starts; stopped in reverse order."""

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...


class Disposable(ABC):
    """Disposed last, after every component was stopped."""

    @abstractmethod
    def dispose(self) -> None: ...
