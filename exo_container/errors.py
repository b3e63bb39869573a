"""Kernel exceptions.

Every error a deployer can cause must say *where*: the file and line of the
configuration that caused it, so they are carried as fields, not baked into
free text only.
"""
from __future__ import annotations


class KernelError(Exception):
    """Base of every error the kernel raises on purpose."""


class ConfigurationError(KernelError):
    """A configuration file (or a value inside it) is wrong.

    ``str()`` gives the one-line form ``<file>:<line>: <message>`` that the CLI
    and the boot log print, so a deployer can jump straight to the spot.
    """

    severity = "error"

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.message = message
        self.file = file
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.message}"


class InvalidParam(ConfigurationError):
    """An init-param value a component (or plugin) refuses; ``param`` names it: a value-param,
    or an entry of a properties-param.

    Structured so that a check can point past the XML at whatever gave the value: the
    ``${property}`` the XML reads it from, and the line of the properties file that set it
    (:mod:`exo_container.validation`).
    """

    def __init__(self, message: str, param: str, file: str | None = None, line: int | None = None):
        self.param = param
        super().__init__(message, file, line)


class InvalidProperty(ConfigurationError):
    """A property with a value the code reading it cannot use; ``name`` lets a check point at the line of
    the properties file that set it (:attr:`exo_container.properties.PropertyStore.origins`)."""

    def __init__(self, name: str, problem: str, file: str | None = None, line: int | None = None):
        self.name = name
        super().__init__(f"property {name}: {problem}", file, line)


class ContainerError(KernelError):
    """Wiring or lifecycle failed (unsatisfiable constructor, ambiguity, failing start)."""


class ConfigurationWarning(ConfigurationError):
    """A configuration problem the kernel tolerates (logged, boot goes on): an unknown
    external-plugin target, a skipped plugin, an import that is not found.

    A subclass so that code collecting ``ConfigurationError`` problems keeps working,
    while ``exo-container check`` can tell warnings (exit 0) from errors (exit 1).
    """

    severity = "warning"


class FileRejected(ConfigurationError):
    """A configuration file the kernel drops whole, with *every* problem found in it.

    Reading goes on after a problem so that a deployer sees them all in one round
    (``problems``, in document order); ``str()`` is the first one, with a count of the rest.
    """

    def __init__(self, problems: list[ConfigurationError]):
        if not problems:
            raise ValueError("a rejected file has at least one problem")
        self.problems = list(problems)
        first = self.problems[0]
        more = len(self.problems) - 1
        message = first.message + (f" (and {more} more problem{'s' * (more != 1)} in this file)" if more else "")
        super().__init__(message, first.file, first.line)
