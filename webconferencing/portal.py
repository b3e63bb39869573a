"""Stand-ins for the eXo portal classes that original connector configuration builds in object-params.

The original template connector's ``WEB-INF/conf/<name>/configuration.xml`` adds its portlet to the toolbar with an
``AddOnService`` plugin whose object-param builds ``PortletApplication`` / ``TransientApplicationState``. There is no
AddOnService here (connector modules are loaded by every page from ``gatein-resources.xml``), so the kernel skips that
plugin with a warning -- but object-params are built while the file is parsed, and a class it cannot find drops the
whole file, the provider plugin with it (as eXo does). Declaring the two classes keeps such files loadable unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exo_container import java_name


@java_name("org.exoplatform.portal.config.model.TransientApplicationState")
@dataclass
class TransientApplicationState:
    contentId: str | None = None  # noqa: N815 - the Java field name the XML sets


@java_name("org.exoplatform.portal.config.serialize.PortletApplication")
@dataclass
class PortletApplication:
    state: Any = None
