"""Settings read from the environment take the type of their field; a value a setting cannot take
stops the command with one line naming the variable and what it takes."""

from __future__ import annotations

import pytest

from addin_server import cli
from addin_server.config import SettingError, Settings


def test_seconds_given_in_the_environment_are_numbers() -> None:
    settings = Settings.from_env({"PRESEND_READ_TIMEOUT_SECONDS": "2.5", "PRESEND_MAILBOX_DEADLINE_SECONDS": "7",
                                  "PRESEND_PARALLEL_READS": "3"})
    assert (settings.presend_read_timeout_seconds, settings.presend_mailbox_deadline_seconds,
            settings.presend_parallel_reads) == (2.5, 7.0, 3)


@pytest.mark.parametrize(("sentence", "variable", "raw", "takes"), [
    ("a whole-number setting given a fraction names itself", "PRESEND_RETRY_MAX_SECONDS", "1.5",
     "a whole number, 1 or more"),
    ("a count given a fraction written as one names itself", "PRESEND_PARALLEL_READS", "2.0",
     "a whole number, 1 or more"),
    ("minutes given half a minute name themselves", "SWEEP_MINUTES", "0.5", "a whole number, 1 or more"),
    ("minutes given a word name themselves", "SWEEP_MINUTES", "abc", "a whole number, 1 or more"),
    ("bytes given in exponent form name themselves", "MAX_REQUEST_BYTES", "1e6", "a whole number, 1 or more"),
    ("a soft-bounce default given a fraction names itself", "SOFT_BOUNCE_THRESHOLD", "2.0",
     "a whole number from 1 to 20"),
    ("a soft-bounce default above what an account may hold is refused", "SOFT_BOUNCE_THRESHOLD", "50",
     "a whole number from 1 to 20"),
    ("no mailbox is read at all with zero parallel reads", "PRESEND_PARALLEL_READS", "0",
     "a whole number, 1 or more"),
    ("a negative timeout is refused", "PRESEND_READ_TIMEOUT_SECONDS", "-1",
     "a number (decimals allowed) greater than 0"),
    ("a zero deadline is refused", "PRESEND_MAILBOX_DEADLINE_SECONDS", "0",
     "a number (decimals allowed) greater than 0"),
    ("not-a-number is no deadline", "PRESEND_MAILBOX_DEADLINE_SECONDS", "nan",
     "a number (decimals allowed) greater than 0"),
    ("infinity is no timeout", "PRESEND_READ_TIMEOUT_SECONDS", "inf", "a number (decimals allowed) greater than 0"),
    ("seconds given a word name themselves", "PRESEND_READ_TIMEOUT_SECONDS", "five",
     "a number (decimals allowed) greater than 0"),
    ("a misspelt yes is not taken for no", "WORKER_IN_PROCESS", "ture",
     "true or false (also 1/0, yes/no, on/off)"),
])
def test_a_value_a_setting_cannot_take_is_refused_by_name(sentence: str, variable: str, raw: str, takes: str) -> None:
    with pytest.raises(SettingError) as refused:
        Settings.from_env({variable: raw})
    assert str(refused.value).startswith(f"{variable}={raw!r} ")
    assert str(refused.value).endswith(f"it takes {takes}")


@pytest.mark.parametrize(("sentence", "variable", "raw", "field", "value"), [
    ("the smallest sweep is one minute", "SWEEP_MINUTES", "1", "sweep_minutes", 1),
    ("spaces around a number are no mistake", "PRESEND_PARALLEL_READS", " 8 ", "presend_parallel_reads", 8),
    ("a soft-bounce default of 20 is the most an account may hold", "SOFT_BOUNCE_THRESHOLD", "20",
     "soft_bounce_threshold", 20),
    ("a tenth of a second is a timeout", "PRESEND_READ_TIMEOUT_SECONDS", "0.1", "presend_read_timeout_seconds", 0.1),
    ("an empty flag is off", "WORKER_IN_PROCESS", "", "worker_in_process", False),
    ("off is off", "DEMO_MODE", "off", "demo_mode", False),
    ("ON is on", "WORKER_IN_PROCESS", "ON", "worker_in_process", True),
])
def test_values_in_range_are_taken(sentence: str, variable: str, raw: str, field: str, value: object) -> None:
    assert getattr(Settings.from_env({variable: raw}), field) == value


@pytest.mark.parametrize("command", [["worker", "--once"], ["serve", "--port", "1"], ["db", "upgrade"]])
def test_a_command_given_a_bad_setting_says_which_in_one_line_and_exits_2(
        command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PRESEND_RETRY_MAX_SECONDS", "1.5")
    assert cli.main(command) == 2
    err = capsys.readouterr().err
    assert err == "addin-server: PRESEND_RETRY_MAX_SECONDS='1.5' is not a whole number; it takes a whole number, 1 or more\n"
