"""The remote call log: format, filtering, background flush, bounded buffer."""
from __future__ import annotations

import logging
import time

import pytest

from webconferencing.calllog import ClientLogRecord
from webconferencing.limits import MAX_LOG_MESSAGE_LENGTH

pytestmark = pytest.mark.backends("sqlite")  # the call log keeps nothing in the database

CALL_LOG = "webconferencing.CallLog"


def record(level="info", provider="mycall", prefix="call", message="Starting call: mary@peter"):
    return ClientLogRecord(level, provider, prefix, "637565", "peter", message, "2018-03-21T16:05:39.546Z")


def written(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == CALL_LOG]


def test_records_are_written_in_the_original_format(core, caplog):
    with caplog.at_level(logging.DEBUG, logger=CALL_LOG):
        assert core.call_log.log(record())
        core.call_log.log(record("warn", prefix=None, message="Slow network"))
        core.call_log.flush()
    assert written(caplog) == [
        "| INFO  | [mycall.call] peter-637565 Starting call: mary@peter -- 2018-03-21T16:05:39.546Z",
        "| WARN  | [mycall] peter-637565 Slow network -- 2018-03-21T16:05:39.546Z",
    ]
    assert [r.levelno for r in caplog.records if r.name == CALL_LOG] == [logging.INFO, logging.WARNING]


def test_trace_is_never_spooled(core, caplog):
    with caplog.at_level(logging.DEBUG, logger=CALL_LOG):
        assert not core.call_log.log(record("trace"))
        core.call_log.flush()
    assert written(caplog) == []


def test_providers_with_log_disabled_are_not_spooled(core, caplog):
    with caplog.at_level(logging.DEBUG, logger=CALL_LOG):
        assert not core.call_log.log(record(provider="othercall"))  # log-enabled not set: off
        assert not core.call_log.log(record(provider="skype"))  # unknown provider
        core.service.get_provider("mycall").set_log_enabled(False)
        assert not core.call_log.log(record())
        core.call_log.flush()
    assert written(caplog) == []


def test_a_full_buffer_drops_and_counts(core):
    for _ in range(100):  # buffer-size of the fixture
        assert core.call_log.log(record())
    assert not core.call_log.log(record())
    assert not core.call_log.log(record())
    assert core.call_log.dropped == 2 and core.call_log.pending() == 100
    core.call_log.flush()
    assert core.call_log.log(record())


def test_long_messages_are_cut_at_the_documented_limit(core, caplog):
    with caplog.at_level(logging.INFO, logger=CALL_LOG):
        core.call_log.log(record(message="x" * 100_000))
        core.call_log.log(record(message="q" * MAX_LOG_MESSAGE_LENGTH))
        core.call_log.flush()
    cut, whole = written(caplog)
    assert MAX_LOG_MESSAGE_LENGTH == 8192
    assert cut.count("x") == MAX_LOG_MESSAGE_LENGTH and whole.count("q") == MAX_LOG_MESSAGE_LENGTH


def test_the_background_thread_flushes_on_its_interval(boot_core, caplog):
    core = boot_core(**{"test.calllog.flush": "0.05"})
    with caplog.at_level(logging.INFO, logger=CALL_LOG):
        core.call_log.log(record())
        deadline = time.monotonic() + 5
        while not written(caplog) and time.monotonic() < deadline:
            time.sleep(0.01)
    assert len(written(caplog)) == 1 and core.call_log.pending() == 0


def test_stopping_writes_what_is_still_buffered(core, caplog):
    with caplog.at_level(logging.INFO, logger=CALL_LOG):
        core.call_log.log(record())
        core.stop()
    assert len(written(caplog)) == 1


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_bad_flush_interval_is_a_boot_error(boot_core, value):
    from exo_container import ContainerError
    with pytest.raises(ContainerError, match="flush-interval"):
        boot_core(**{"test.calllog.flush": value})
