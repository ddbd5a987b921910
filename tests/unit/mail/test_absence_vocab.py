"""Each language pack names the reasons of absence by category (mail/absence_vocab_*.py): a business trip, a fair
or a training, sick or parental leave, a closure or a public holiday, and being out of reach. One phrase per
language and category, as a notice would say it; each must be read as a state of absence."""

from __future__ import annotations

import pytest

from addin_server.mail.absence_lexicon import find_part

CATEGORIES = {
    "en": ("on a business trip to Lyon", "exhibiting at the Hanover trade fair", "on maternity leave",
           "our offices are closed for the bank holiday", "no mobile signal up here"),
    "de": ("auf Dienstreise in Lyon", "auf der Fachmesse in Hannover", "in Elternzeit",
           "Betriebsferien bis Januar", "kein Empfang in den Bergen"),
    "fr": ("en déplacement à Lyon", "au salon de Hanovre", "en congé maternité", "jour férié demain",
           "pas de réseau à la montagne"),
    "es": ("de viaje de negocios en Lyon", "en la feria de Hannover", "de baja por maternidad",
           "la oficina permanecerá cerrada por festivo", "sin cobertura en la montaña"),
    "it": ("in trasferta a Lione", "a un convegno a Hannover", "in congedo di maternità",
           "l'ufficio resterà chiuso per ferie", "senza copertura in montagna"),
    "nl": ("op zakenreis in Lyon", "op de beurs in Hannover", "met zwangerschapsverlof", "kantoor is gesloten",
           "geen bereik in de bergen"),
    "pt": ("em viagem a Lyon", "numa feira em Hannover", "de licença-maternidade", "feriado amanhã",
           "sem sinal na serra"),
    "sv": ("på tjänsteresa i Lyon", "på mässa i Hannover", "föräldraledig", "kontoret är stängt",
           "utan täckning i fjällen"),
    "da": ("på forretningsrejse i Lyon", "på messe i Hannover", "på barselsorlov", "kontoret er lukket",
           "uden dækning i bjergene"),
    "no": ("på forretningsreise i Lyon", "på messe i Hannover", "i foreldrepermisjon", "kontoret er stengt",
           "uten dekning på fjellet"),
    "fi": ("työmatkalla Lyonissa", "messuilla Hannoverissa", "äitiyslomalla", "toimisto on suljettu",
           "ei kuuluvuutta tunturissa"),
    "pl": ("w delegacji w Lyonie", "na targach w Hanowerze", "na urlopie macierzyńskim", "biuro jest nieczynne",
           "bez zasięgu w górach"),
    "cs": ("na služební cestě v Lyonu", "na veletrhu v Hannoveru", "na mateřské", "kancelář je zavřená",
           "bez signálu na horách"),
    "ru": ("в командировке в Лионе", "на выставке в Ганновере", "в декрете", "офис закрыт",
           "нет связи в горах"),
    "tr": ("iş seyahatindeyim", "Hannover'de bir fuardayım", "doğum iznindeyim", "resmi tatil nedeniyle",
           "çevrimdışıyım"),
    "ja": ("リヨンへ出張中", "展示会出展のため", "産休中", "年末年始休業", "圏外のため"),
    "zh": ("在里昂出差", "参加展会", "休产假", "春节放假", "没有信号"),
    "ko": ("리옹 출장 중", "박람회 참가로", "출산 휴가 중", "공휴일", "오프라인"),
}

CASES = [
    pytest.param(phrase, id=f"{language}: {category}")
    for language, phrases in CATEGORIES.items()
    for category, phrase in zip(("a business trip", "a fair or a training", "parental leave", "a closure or a public holiday",
                                 "out of reach"), phrases, strict=True)
]


@pytest.mark.parametrize("phrase", CASES)
def test_each_language_names_each_category_of_absence(phrase: str) -> None:
    assert find_part("absence", phrase) is not None
