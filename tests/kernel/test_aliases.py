"""Java names as aliases of Python classes: declared by decorator, by entry point, or for a while."""
from __future__ import annotations

from exo_container import java_name
from exo_container.aliases import aliases_declared, resolve_alias


@java_name("alias.test.Declared")
class Declared:
    pass


def test_a_decorated_class_answers_to_its_java_name():
    assert resolve_alias("alias.test.Declared") == f"{__name__}.Declared"


def test_an_installed_package_declares_java_names_as_entry_points():
    assert resolve_alias("org.exoplatform.webconferencing.WebConferencingService") == (
        "webconferencing.service.WebConferencingService")


def test_a_name_that_is_no_alias_resolves_to_itself():
    assert resolve_alias("some.python.Path") == "some.python.Path"


def test_a_temporary_declaration_shadows_an_alias_and_puts_it_back():
    with aliases_declared({"alias.test.Declared": "elsewhere.Other", "alias.test.New": "elsewhere.New"}):
        assert resolve_alias("alias.test.Declared") == "elsewhere.Other"
        assert resolve_alias("alias.test.New") == "elsewhere.New"
    assert resolve_alias("alias.test.Declared") == f"{__name__}.Declared"
    assert resolve_alias("alias.test.New") == "alias.test.New"
