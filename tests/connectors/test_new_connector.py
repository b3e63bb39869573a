"""scripts/new_connector.py: a copy of the template connector with every name changed, and nothing else."""
from __future__ import annotations

import importlib.util
import re
import sys

import pytest

from webconferencing.identity import IdentityDirectory
from webconferencing.service import WebConferencingService

from .conftest import EXTENSIONS, ROOT

spec = importlib.util.spec_from_file_location("new_connector", ROOT / "scripts" / "new_connector.py")
new_connector = importlib.util.module_from_spec(spec)
sys.modules["new_connector"] = new_connector
spec.loader.exec_module(new_connector)

TEMPLATE_SPELLINGS = re.compile(r"myconnector|my connector|MyConnector|myConnector", re.IGNORECASE)


@pytest.fixture
def copied(tmp_path):
    dest = tmp_path / "extensions"
    new_connector.new_connector("acmecall", dest, title="Acme Call")
    return dest / "acmecall"


def test_no_path_and_no_text_of_the_copy_keeps_a_template_name(copied):
    for path in copied.rglob("*"):
        assert not TEMPLATE_SPELLINGS.search(str(path.relative_to(copied))), path
        if path.is_file():
            assert not TEMPLATE_SPELLINGS.search(path.read_text(encoding="utf-8")), path


def test_the_copy_has_the_template_files_under_their_new_names(copied):
    expected = {str(p.relative_to(EXTENSIONS / "myconnector")).replace("myconnector", "acmecall")
                for p in (EXTENSIONS / "myconnector").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    assert {str(p.relative_to(copied)) for p in copied.rglob("*") if p.is_file()} == expected


def test_the_copy_differs_from_the_template_only_by_names(copied):
    names = new_connector.Names.of("acmecall", "Acme Call")
    back = [(new, old) for old, new in new_connector.replacements(names)]
    for path in copied.rglob("*"):
        if path.is_file():
            original = EXTENSIONS / "myconnector" / new_connector.rename_text(str(path.relative_to(copied)), back)
            restored = new_connector.rename_text(path.read_text(encoding="utf-8"), back)
            assert restored == original.read_text(encoding="utf-8"), path


def test_the_copy_boots_with_its_own_provider_type_title_and_im_type(copied, boot_product):
    container = boot_product(copied.parent)
    provider = container.get_component_instance_of_type(WebConferencingService).get_provider("acmecall")
    assert (type(provider).__name__, provider.get_title(), provider.is_active()) == (
        "AcmeCallProvider", "Acme Call", True)
    assert container.get_component_instance_of_type(IdentityDirectory).get_im_types() == {"acmecall": "Acme Call"}
    assert [p for p in container.problems if p.severity == "error"] == []


@pytest.mark.parametrize("name", ["AcmeCall", "acme-call", "1call", ""])
def test_a_name_that_is_not_one_lowercase_word_is_refused(tmp_path, name):
    with pytest.raises(new_connector.NewConnectorError, match="one lowercase word"):
        new_connector.new_connector(name, tmp_path)


def test_an_existing_folder_is_never_overwritten(copied):
    with pytest.raises(new_connector.NewConnectorError, match="already exists"):
        new_connector.new_connector("acmecall", copied.parent)
