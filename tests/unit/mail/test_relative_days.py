"""A day back written relative to the message: tomorrow next to a return or reply word is the next
working day after the day the message was sent."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from addin_server.mail.return_date import find_return_date

SENT_FRIDAY = datetime(2026, 12, 11, 16, 0, tzinfo=UTC)
SENT_TUESDAY = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)

CASES = [
    ("english 'back in the office tomorrow' sent on a Friday is Monday",
     "Off sick today, I'll be back in the office tomorrow.", SENT_FRIDAY, date(2026, 12, 14)),
    ("english 'will answer tomorrow' sent on a Tuesday is Wednesday",
     "I'm at a client site all day and will answer your message tomorrow.", SENT_TUESDAY, date(2026, 12, 9)),
    ("german 'morgen früh wieder erreichbar' is the next working day",
     "Ich bin heute unterwegs und morgen früh wieder erreichbar.", SENT_TUESDAY, date(2026, 12, 9)),
    ("french 'de retour demain' sent on a Friday is Monday",
     "Je suis en rendez-vous extérieur, de retour demain.", SENT_FRIDAY, date(2026, 12, 14)),
    ("spanish 'responderé mañana' is the next working day",
     "Hoy estoy fuera de la oficina; responderé su correo mañana.", SENT_TUESDAY, date(2026, 12, 9)),
    ("japanese '明日以降のご対応' is the next working day",
     "本日は出張中のため、明日以降に順次ご返信いたします。", SENT_TUESDAY, date(2026, 12, 9)),
    ("dutch 'morgen ben ik weer op kantoor' sent on a Friday is Monday",
     "Vandaag ben ik vrij. Morgen ben ik weer op kantoor.", SENT_FRIDAY, date(2026, 12, 14)),
    ("italian 'di nuovo in ufficio domani' sent on a Friday is Monday",
     "Oggi sono fuori sede, sarò di nuovo in ufficio domani.", SENT_FRIDAY, date(2026, 12, 14)),
    ("russian 'завтра буду на месте' is the next working day",
     "Сегодня я на выездном совещании, завтра буду на месте.", SENT_TUESDAY, date(2026, 12, 9)),
    ("english 'out until tomorrow' sent on a Friday is Monday", "Out of the office until tomorrow.", SENT_FRIDAY,
     date(2026, 12, 14)),
    ("german 'ab morgen wieder erreichbar' sent on a Friday is Monday",
     "Heute bin ich auf einem Seminar, ab morgen bin ich wieder erreichbar.", SENT_FRIDAY, date(2026, 12, 14)),
    ("where an absence starts tomorrow is no day back",
     "From tomorrow I am on parental leave; my colleagues will reply in the meantime.", SENT_TUESDAY, None),
    ("japanese '明日は出社いたします' sent on a Friday is Monday", "本日は代休をいただいております。明日は出社いたします。",
     SENT_FRIDAY, date(2026, 12, 14)),
    ("chinese '明天上班后回复' is the next working day", "今天外出培训，明天上班后回复您。", SENT_TUESDAY, date(2026, 12, 9)),
    ("korean '내일 회신' is the next working day", "오늘은 외근 중입니다. 내일 회신 드리겠습니다.", SENT_TUESDAY, date(2026, 12, 9)),
    ("polish 'jutro będę w biurze' sent on a Friday is Monday", "Dziś pracuję zdalnie bez poczty, jutro będę w biurze.",
     SENT_FRIDAY, date(2026, 12, 14)),
    ("japanese today and tomorrow away is no day back", "本日と明日は休暇をいただいております。", SENT_TUESDAY, None),
    ("english 'I'll pick up emails tomorrow' is the next working day",
     "On a site visit today; I'll pick up emails tomorrow.", SENT_TUESDAY, date(2026, 12, 9)),
    ("italian 'domani rispondo' sent on a Friday is Monday", "Oggi sono in permesso, domani rispondo a tutti.",
     SENT_FRIDAY, date(2026, 12, 14)),
    ("tomorrow among the days away is no day back",
     "I'm out today and tomorrow and will reply when I return.", SENT_TUESDAY, None),
    ("a morning greeting is no tomorrow", "Guten Morgen, ich bin wieder ab dem 14.12. erreichbar.", SENT_TUESDAY,
     date(2026, 12, 14)),
    ("a date written with tomorrow is read from the date",
     "Back tomorrow, Wednesday 9 December, after the audit.", SENT_TUESDAY, date(2026, 12, 9)),
]


@pytest.mark.parametrize(("text", "sent", "expected"), [pytest.param(t, s, d, id=n) for n, t, s, d in CASES])
def test_tomorrow_next_to_a_return_is_the_next_working_day(text: str, sent: datetime, expected: date | None) -> None:
    assert find_return_date(text, sent) == expected
