"""``PropertyConfigurator`` and ``ExtendedPropertyConfigurator``: components that set properties.

As in the eXo kernel, the constructor does all the work, in this order (each write
overwrites, so the file wins over the init-params, which win over ``-D``):

1. the properties of the ``properties-param`` named ``properties`` (Extended: of *every*
   properties-param, in document order) are set; their ``${}`` were resolved when the
   file was parsed, and profiles chose among same-name params then;
2. the file named by the value-param ``properties.url``, or by the property
   ``exo.properties.url`` when that is set, is loaded (``.properties`` or ``.xml``;
   values resolved against the file's earlier entries, then the properties);
3. Extended only: each path of the values-param ``properties.urls``, in order; a
   missing file there is skipped (logged).

A file that cannot be loaded in step 2 is logged and kept in ``problems`` (the kernel
logs "Cannot load property file" and goes on). Paths are resolved as the kernel's
``ConfigurationManager.getURL`` does (:func:`exo_container.urls.resolve_url`): ``file:``,
``classpath:``/``jar:`` and absolute paths, and relative paths against ``exo.conf.dir``
(the folder of the root configuration, where eXo keeps its properties files).

**When**: the boot builds them right after the root configuration and the extensions'
``META-INF/exo-conf`` files are read, before the portal-container definitions and the
extensions' ``WEB-INF`` files (the kernel's root container starts before its portal
containers parse). So their properties reach ``${}`` in the files read later, not in
the files already read, exactly as in Java.
"""
from __future__ import annotations

import logging
from pathlib import Path

from .aliases import java_name
from .errors import ConfigurationError
from .jvm import EXO_CONF_DIR
from .lifecycle import Startable
from .params import InitParams
from .properties import PROPERTIES_URL, PropertyStore
from .urls import file_url_to_path, path_to_url, resolve_url

log = logging.getLogger(__name__)


@java_name("org.exoplatform.container.PropertyConfigurator")
class PropertyConfigurator(Startable):
    """Sets properties from its init-params and from one properties file (see the module)."""

    def __init__(self, params: InitParams | None, properties: PropertyStore):
        self.properties = properties
        self.problems: list[ConfigurationError] = []
        self._set_init_param_properties(params)
        path = None
        if params is not None and params.get_value_param("properties.url") is not None:
            path = params.get_value_param("properties.url").value
        system_path = properties.get(PROPERTIES_URL)
        if system_path is not None:
            path = system_path
        if path is not None:
            self._load(path, required=True)

    def _set_init_param_properties(self, params: InitParams | None) -> None:
        param = params.get_properties_param("properties") if params is not None else None
        if param is not None:
            self.properties.update(param.properties)

    def _load(self, path: str, required: bool) -> None:
        target = self._path(path)
        if target is None or not target.is_file():
            if required:
                self._problem(ConfigurationError(f"Cannot load property file {path}: not found", str(target or path)))
            else:
                log.info("Property file %s not found: skipped", path)
            return
        try:
            self.properties.load_file(target)
        except ConfigurationError as e:
            self._problem(ConfigurationError(f"Cannot load property file {path}: {e.message}", e.file, e.line))

    def _path(self, path: str) -> Path | None:
        base = self.properties.get(EXO_CONF_DIR)
        context = path_to_url(Path(base)) + "/" if base else None
        url = resolve_url(path.strip(), context_path=context, lookup=self.properties.lookup)
        return None if url is None else file_url_to_path(url)

    def _problem(self, problem: ConfigurationError) -> None:
        log.error("%s", problem)
        self.problems.append(problem)

    def start(self) -> None:
        """Nothing: the properties were set when it was built."""

    def stop(self) -> None:
        """Nothing: properties stay set, as system properties do in Java."""


@java_name("org.exoplatform.container.ExtendedPropertyConfigurator")
class ExtendedPropertyConfigurator(PropertyConfigurator):
    """A PropertyConfigurator that reads every properties-param and the files of ``properties.urls``."""

    def __init__(self, params: InitParams | None, properties: PropertyStore):
        super().__init__(params, properties)
        urls = params.get_values_param("properties.urls") if params is not None else None
        for path in urls.values if urls is not None else ():
            self._load(path, required=False)

    def _set_init_param_properties(self, params: InitParams | None) -> None:
        for param in params.get_properties_param_iterator() if params is not None else ():
            self.properties.update(param.properties)


CONFIGURATORS = (PropertyConfigurator, ExtendedPropertyConfigurator)
