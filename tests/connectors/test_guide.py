"""extensions/README.md, checked against the code: the statements a connector author relies on, one test each."""
from __future__ import annotations

import re

import pytest

from webconferencing.service import WebConferencingService

from .conftest import EXTENSIONS, extensions_with, new_connector

GUIDE = (EXTENSIONS / "README.md").read_text(encoding="utf-8")
TYPE = "myconnector"


def test_the_guides_test_example_is_the_starter_test_the_scaffold_writes():
    """The scaffold's starter test is run by test_new_connector.py: the guide shows one that passes."""
    blocks = re.findall(r"```python\n(.*?)```", GUIDE, re.DOTALL)
    written = new_connector.starter_test(new_connector.Connector.of("acmecall", title="Acme Call"))
    assert written in blocks


def test_exo_extensions_dirs_adds_folders_to_the_extensions_folder_given(tmp_path, boot_product):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = extensions_with(tmp_path / "one", "myconnector")
    more = extensions_with(tmp_path / "two", "webrtc")
    container = boot_product(first, **{"exo.extensions.dirs": str(more)})
    service = container.get_component_instance_of_type(WebConferencingService)
    assert sorted(p.get_type() for p in service.get_providers()) == ["myconnector", "webrtc"]


@pytest.fixture(scope="module")
def exo_connectors():
    return [EXTENSIONS / TYPE]


def test_a_setting_validate_setting_refuses_is_a_400_naming_the_field_and_nothing_is_saved(exo_login):
    root = exo_login("root")
    refused = root.post(f"/provider/{TYPE}/configuration", json={"apiKey": "fine", "clientId": "two words"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "BAD_REQUEST_ERROR" and "'clientId'" in refused.json()["message"]
    saved = root.get(f"/provider/{TYPE}/configuration").json()
    assert (saved["apiKey"], saved["clientId"]) == ("myApiKey", "myClientId")
