"""The system properties a JVM defines before any ``-D``, for ``${}`` written for Java.

eXo configuration relies on them (``${java.io.tmpdir}/bindfile.xml`` in the kernel's own
tests, ``${user.home}/.exo`` in products); a Python process answers them from the same
facts. Set explicitly (environment, ``-D``, a properties file), a property of that name
wins, as a ``-D`` overrides the JVM's value.

Deviation, on purpose: ``java.io.tmpdir`` honours ``TMPDIR`` (Python's temporary folder),
where a JVM on Linux says ``/tmp`` whatever the environment.
"""
from __future__ import annotations

import getpass
import os
import platform
import tempfile
from pathlib import Path

EXO_CONF_DIR = "exo.conf.dir"


def os_name() -> str:
    """``os.name`` as Java spells it: ``Linux``, ``Mac OS X``, ``Windows 10`` ..."""
    system = platform.system()
    if system == "Darwin":
        return "Mac OS X"
    if system == "Windows":
        return f"Windows {platform.release()}"
    return system


def jvm_properties() -> dict[str, str]:
    """The built-in properties this process can answer (one it cannot, say a user with no name, is left out)."""
    found = {
        "java.io.tmpdir": tempfile.gettempdir(),
        "user.dir": os.getcwd(),
        "file.separator": os.sep,
        "path.separator": os.pathsep,
        "line.separator": os.linesep,
        "os.name": os_name(),
    }
    try:
        found["user.home"] = str(Path.home())
    except RuntimeError:  # no HOME and no password entry
        pass
    try:
        found["user.name"] = getpass.getuser()
    except (KeyError, OSError):  # a uid without a password entry (some containers)
        pass
    return found
