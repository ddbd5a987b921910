"""A part-time week written with short weekday names ("Mon-Wed", "Mo–Mi", "lun-mer", "ma-wo"): a notice whose day
back is the next day worked (mail/absence_shape.py); a person who says so while asking stays a person."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.absence_shape import back_on_a_working_day
from addin_server.mail.classify import classify
from tests.unit.mail.test_absence import reply

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY
THURSDAY = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)

CASES = [
    pytest.param("Hello, I only work Tue-Thu, so I'll answer on my next working day.", OOO,
                 id="en: 'Tue-Thu' and the next working day is out of office"),
    pytest.param("Hinweis: Ich arbeite in Teilzeit (Di–Do). Ihre Nachricht beantworte ich am nächsten Arbeitstag.", OOO,
                 id="de: part-time '(Di–Do)' and the next working day is out of office"),
    pytest.param("Ik werk ma-wo; je bericht lees ik op mijn eerstvolgende werkdag.", OOO,
                 id="nl: 'ma-wo' and the next working day is out of office"),
    pytest.param("I work Mon-Wed, so could we do Tuesday at ten?", HUMAN,
                 id="en: 'Mon-Wed' with a proposal asked is a person's reply"),
]


@pytest.mark.parametrize(("body", "kind"), CASES)
def test_a_short_part_time_week(body: str, kind: InboundKind) -> None:
    assert classify(reply(body)).kind == kind


@pytest.mark.parametrize(
    ("text", "back"),
    [
        pytest.param("I work Mon-Wed only.", date(2026, 12, 14), id="en: 'Mon-Wed' written on a Thursday is Monday"),
        pytest.param("Ich arbeite Mo–Mi.", date(2026, 12, 14), id="de: 'Mo–Mi' written on a Thursday is Monday"),
        pytest.param("Je travaille lun-ven sauf le jeudi.", date(2026, 12, 11),
                     id="fr: 'lun-ven' written on a Thursday is Friday"),
    ],
)
def test_the_next_day_worked(text: str, back: date) -> None:
    assert back_on_a_working_day(text, THURSDAY) == back
