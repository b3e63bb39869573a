"""Client text cannot forge log lines (issue 9): a client log record (the websocket ``log`` frame, written to the
``webconferencing.CallLog`` logger) and a metrics line keep each record on one line, with line breaks, NULs and other
control characters escaped."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import requests

from exo_container import boot
from webconferencing.errors import CallNotFound
from webconferencing.service import WebConferencingService
from tests.web.harness import REST, OpenApi, Server, User

PROVIDER = "signal"  # the test connector, with log-enabled true
CORE_CONFIGURATION = Path(__file__).parents[1] / "core" / "fixtures" / "core-configuration.xml"
FORGED = "| ERROR | [signal] root-admin0001 forged record -- 2024-05-01T10:00:00.000Z"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("server")).start()
    yield srv
    srv.stop()


@pytest.fixture
def tab(server):
    user = User(server, OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json()), "mary")
    opened = user.tab()
    yield opened
    opened.close()


def send_record(tab, message: str, **fields) -> None:
    tab.send({"type": "log", "records": [{"level": "info", "provider": PROVIDER, "prefix": "call", "message": message,
                                          "timestamp": "2024-05-01T10:00:00.000Z", **fields}]})


def test_a_line_break_in_a_client_log_message_cannot_forge_a_record(server, tab):
    send_record(tab, "ICE failed\n" + FORGED)

    server.wait_for_log(r"ICE failed\\n\| ERROR \| \[signal\] root-admin0001 forged record")
    assert not re.search(r"^\| ERROR \| \[signal\] root-admin0001", server.log(), re.MULTILINE)


def test_a_carriage_return_and_a_nul_in_a_client_log_message_are_escaped(server, tab):
    send_record(tab, "before\r\x00after")

    server.wait_for_log(r"before\\r\\x00after")
    assert "\x00" not in server.log()


def test_a_line_break_in_a_client_log_prefix_or_timestamp_is_escaped(server, tab):
    send_record(tab, "prefix test", prefix="call\nforged", timestamp="t\nforged-timestamp")

    server.wait_for_log(r"\[signal\.call\\nforged\] .* prefix test -- t\\nforged-timestamp")


def test_a_line_break_in_a_call_id_stays_on_the_metrics_line(tmp_path, caplog):
    """The metrics line names the caller's call id: it is escaped, whatever reached the service."""
    container = boot(CORE_CONFIGURATION, extensions_dirs=[],
                     system_properties={"webconferencing.db.url": f"sqlite:///{tmp_path / 'wc.db'}"})
    try:
        service = container.get_component_instance_of_type(WebConferencingService)
        with caplog.at_level(logging.DEBUG, logger="webconferencing.metrics"):
            with pytest.raises(CallNotFound):
                service.get_call("g/team\noperation=delete_call user=root call=g/all status=ok")

        lines = [r.getMessage() for r in caplog.records if r.name == "webconferencing.metrics"]
        assert len(lines) == 1 and "\n" not in lines[0], lines
        assert "call=g/team\\noperation=delete_call" in lines[0]
    finally:
        container.dispose()
