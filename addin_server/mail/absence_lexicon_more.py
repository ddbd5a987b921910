"""More language packs for absence notices: Hungarian, Romanian, Indonesian, Vietnamese, and more
Greek and Hindi wordings ("Απουσιάζω", "अवकाश पर") than absence_lexicon.py's own packs hold.

Kept apart so absence_lexicon.py stays within its size; its registry adds these packs after its own,
so a language the main packs already know is looked up there first. Devanagari letters carry
combining marks Python does not count as word characters, so the Hindi patterns use no `\\b`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from addin_server.mail.absence_lexicon import LanguagePack


def packs() -> tuple[LanguagePack, ...]:
    """The packs, built when absence_lexicon.py's registry is (it defines LanguagePack before asking)."""
    # Imported here: absence_lexicon.py imports this module while it is itself being loaded.
    from addin_server.mail.absence_lexicon import LanguagePack

    return (
        LanguagePack(
            "hu",
            absence=(
                r"\bszabadság(?:on|ra)\b|\bbetegszabadság\w*|\bház(?:on)?\s+kívül\b|\birodán\s+kívül\b|"
                r"\büzleti\s+úton\b|\btávol\s+vagyok\b|\bnem\s+vagyok\s+(?:elérhető|az\s+irodában)\b",
            ),
            back=(r"\bvisszatérek\b|\btérek\s+vissza\b|\bismét\s+elérhető\b",),
            period=(r"\b\d{1,2}\.?-?(?:ig|éig|áig|jéig)\b|\b\w+\s+\d{1,2}-(?:ig|éig|áig|jéig)\b",),
            redirect=(r"\bsürgős\b|\bforduljon\b|\bkollégám\w*",),
            limited=(r"\bkorlátozott\s+(?:e-?mail-?)?hozzáférés\w*",),
            later=(r"\bvisszatérésem\s+után\b|\bvisszaérkezésem\s+után\b|\bválaszolok\b",),
            answer=(r"\bküldje\s+el\b|\bérdekel\b|\bmegfelel\s+(?:nekem|nekünk)\b",),
        ),
        LanguagePack(
            "ro",
            absence=(
                r"\bîn\s+concediu\b|\bîn\s+afara\s+biroului\b|\bplecat[ăa]?\s+din\s+birou\b|"
                r"\bîn\s+deplasare\b|\bnu\s+sunt\s+(?:la\s+birou|disponibil[ăa]?)\b",
            ),
            back=(r"\bmă\s+întorc\b|\brevin\s+(?:la\s+birou|pe|în)\b",),
            period=(r"\bpână\s+(?:pe\s+|la\s+|în\s+)?(?:data\s+de\s+)?\d",),
            redirect=(r"\burgen(?:țe|ţe|te)\b|\bprobleme\s+urgente\b|\bcontactați\b|\bcoleg(?:a|ul)\s+me\w*",),
            limited=(r"\bacces\s+limitat\b",),
            later=(r"\bvă\s+voi\s+răspunde\b|\bvoi\s+răspunde\b|\bla\s+(?:întoarcere|revenire)\b",),
            answer=(r"\btrimiteți-mi\b|\b(?:mă|ne)\s+interesează\b|\bîmi\s+convine\b",),
        ),
        LanguagePack(
            "id",
            absence=(
                r"\b(?:sedang\s+)?cuti\b|\btidak\s+berada\s+di\s+kantor\b|\bdi\s+luar\s+kantor\b|"
                r"\bsedang\s+berlibur\b|\bdinas\s+luar\b",
            ),
            back=(r"\bkembali\b",),
            period=(r"\b(?:hingga|sampai)\s+(?:dengan\s+)?(?:tanggal\s+)?\d",),
            redirect=(r"\b(?:hal|keperluan|urusan)\s+(?:yang\s+)?mendesak\b|\bsilakan\s+hubungi\b",),
            limited=(r"\bakses\s+(?:email\s+)?terbatas\b",),
            later=(r"\b(?:akan\s+)?(?:saya\s+)?(?:balas|membalas)\s+setelah\b|\bsetelah\s+saya\s+kembali\b",),
            answer=(r"\b(?:saya|kami)\s+tertarik\b|\bkirimkan\b|\bsilakan\s+kirim\b",),
        ),
        LanguagePack(
            "vi",
            absence=(
                r"\bnghỉ\s+phép\b|\bvắng\s+mặt\b|\bkhông\s+có\s+mặt\b|\bđi\s+công\s+tác\b|"
                r"\bkhông\s+ở\s+văn\s+phòng\b|\bnghỉ\s+lễ\b",
            ),
            back=(r"\bquay\s+lại\b|\btrở\s+lại\b|\bquay\s+về\b",),
            period=(r"\b(?:cho\s+)?đến\s+(?:hết\s+)?(?:ngày\s+)?\d",),
            redirect=(r"\bviệc\s+gấp\b|\bkhẩn\s+cấp\b|\bvui\s+lòng\s+liên\s+hệ\b",),
            limited=(r"\bhạn\s+chế\s+truy\s+cập\b|\btruy\s+cập\s+hạn\s+chế\b",),
            later=(r"\bsẽ\s+(?:phản\s+hồi|trả\s+lời)\b",),
            answer=(r"\b(?:tôi|chúng\s+tôi)\s+quan\s+tâm\b|\bgửi\s+cho\s+tôi\b",),
        ),
        LanguagePack(
            "el",
            absence=(r"\bαπουσιάζω\b|\bείμαι\s+απ(?:ών|ούσα)\b|\bσε\s+διακοπές\b",),
            period=(r"\bμέχρι\s+(?:τις|την|το)\s+\d",),
            later=(r"\bθα\s+απαντήσω\b|\bμε\s+την\s+επιστροφή\s+μου\b",),
        ),
        LanguagePack(
            "hi",
            absence=(r"अवकाश\s+पर",),
            later=(r"उत्तर\s+दूँगा|उत्तर\s+दूंगा|उत्तर\s+दूँगी|जवाब\s+दूँगा|जवाब\s+दूंगा",),
        ),
    )
