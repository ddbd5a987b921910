"""Absence notices without automatic headers in Hungarian, Romanian, Indonesian and Vietnamese, and the
Greek "Απουσιάζω" / Hindi "अवकाश पर" wordings (outside attack r14, finding 1): read as out of office, never
as a reply; a person in those languages who answers while away stays human. One case per product sentence."""

from __future__ import annotations

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from tests.unit.mail.test_absence import reply

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY

NOTICES = [
    pytest.param("Köszönöm levelét.\n\nDecember 14-ig szabadságon vagyok, korlátozott e-mail-hozzáféréssel. Sürgős "
                 "ügyekben kérem, forduljon kollégámhoz, Péterhez (peter@kunde.example). Visszatérésem után válaszolok.",
                 id="hu: a holiday until a date with limited access and a colleague is out of office"),
    pytest.param("Vă mulțumesc pentru mesaj.\n\nSunt în concediu până pe 14 decembrie, cu acces limitat la e-mail. "
                 "Pentru probleme urgente vă rog să o contactați pe colega mea Ioana (ioana@kunde.example). "
                 "Vă voi răspunde la întoarcere.",
                 id="ro: a leave until a date with limited access and a colleague is out of office"),
    pytest.param("Terima kasih atas email Anda.\n\nSaya sedang cuti hingga 14 Desember 2026 dengan akses email terbatas. "
                 "Untuk hal mendesak, silakan hubungi Budi di budi@kunde.example. Saya akan membalas setelah kembali.",
                 id="id: a leave until a date with limited access and an urgent contact is out of office"),
    pytest.param("Cảm ơn bạn đã gửi email.\n\nTôi đang nghỉ phép đến hết ngày 14/12/2026 và hạn chế truy cập email. "
                 "Nếu có việc gấp, vui lòng liên hệ chị Lan qua lan@kunde.example. Tôi sẽ phản hồi khi quay lại.",
                 id="vi: a leave until a date with limited access and an urgent contact is out of office"),
    pytest.param("Απουσιάζω από το γραφείο μέχρι τις 14/12. Θα απαντήσω στο μήνυμά σας με την επιστροφή μου.",
                 id="el: absent from the office until a date, answering on return is out of office"),
    pytest.param("मैं 14 दिसंबर तक अवकाश पर हूँ। वापस आने पर आपके ईमेल का उत्तर दूँगा।",
                 id="hi: on leave until a date, answering on return is out of office"),
    pytest.param("Saya sedang tidak berada di kantor sampai tanggal 14 Desember. Email Anda akan saya balas setelah "
                 "saya kembali.", id="id: not in the office until a date, answering on return is out of office"),
    pytest.param("Tôi vắng mặt khỏi văn phòng đến ngày 14/12. Tôi sẽ trả lời email của bạn khi trở lại.",
                 id="vi: absent from the office until a date, answering on return is out of office"),
    pytest.param("Házon kívül vagyok december 14-ig. Visszatérésem után válaszolok levelére.",
                 id="hu: away from the office until a date, answering on return is out of office"),
    pytest.param("Sunt plecată din birou până pe 14 decembrie. Voi răspunde la întoarcere.",
                 id="ro: out of the office until a date, answering on return is out of office"),
]


@pytest.mark.parametrize("body", NOTICES)
def test_absence_notices_without_headers_in_more_languages_are_out_of_office(body: str) -> None:
    result = classify(reply(body))
    assert result.kind == OOO, result.evidence
    assert result.left_company is False


ANSWERS = [
    pytest.param("Szabadságon vagyok december 14-ig, de érdekel: küldje el az ajánlatot.",
                 id="hu: on holiday but interested and asking for the offer stays human"),
    pytest.param("Sunt în concediu până pe 14 decembrie, dar ne interesează. Trimiteți-mi oferta, vă rog.",
                 id="ro: on leave but interested and asking for the offer stays human"),
    pytest.param("Saya sedang cuti hingga 14 Desember, tapi kami tertarik. Silakan kirim penawarannya.",
                 id="id: on leave but interested and asking for the offer stays human"),
    pytest.param("Tôi đang nghỉ phép đến 14/12, nhưng chúng tôi quan tâm. Vui lòng gửi cho tôi báo giá.",
                 id="vi: on leave but interested and asking for the quote stays human"),
]


@pytest.mark.parametrize("body", ANSWERS)
def test_a_person_who_answers_while_away_in_more_languages_stays_human(body: str) -> None:
    assert classify(reply(body)).kind == HUMAN
