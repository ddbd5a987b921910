"""Language packs for reading an absence notice from its structure (mail/absence.py).

A notice is built from the same parts in every language: a state of absence (a holiday, a leave, a
trip, a course), a period ("until Friday", "del 7 al 18", "12月18日まで"), a redirection ("my colleague
Lucía", "for anything urgent"), limited access ("no reviso el correo"), a promise to answer later ("odpiszę
po powrocie"). Each pack lists, per part, a few short words of one language; the judgement scores which
parts are present, so a new sentence built from known parts is read without a rule for that sentence.
The `answer` part lists the ways a person answers the rep (asking for the proposal, proposing a time),
which keep a reply that mentions an absence human.

Kept as pattern strings, compiled once here; every pattern is matched case-insensitively. Patterns of
scripts without spaces (ja, zh, ko) use no word boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from addin_server.mail import absence_lexicon_more, absence_vocab_east, absence_vocab_north, absence_vocab_west

PARTS = ("absence", "back", "period", "redirect", "limited", "later", "answer")


@dataclass(frozen=True)
class LanguagePack:
    language: str
    absence: tuple[str, ...] = ()
    # Coming back ("back online Monday", "är tillbaka den 4 januari"): with a return date, an absence.
    back: tuple[str, ...] = ()
    period: tuple[str, ...] = ()
    redirect: tuple[str, ...] = ()
    limited: tuple[str, ...] = ()
    later: tuple[str, ...] = ()
    answer: tuple[str, ...] = ()


# A day or a month after "until" / "from": a number, or a day or month name of any pack's language.
_DAY = (
    r"(?:\d|mon|tue|wed|thu|fri|sat|sun|next|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|"
    r"lun|mar|mi[ée]|jue|vie|s[áa]b|dom|seg|ter|qua|qui|sex|ene|abr|ago|dic|fev|mai|out|dez|"
    r"pon|wt|śr|czw|pi[ąa]t|sob|nied|sty|lut|kwi|cze|lip|sie|wrz|pa[źz]|lis|gru|"
    r"m[åa]n|tis|ons|tor|fre|l[öo]r|s[öo]n|montag|diens|mittw|donn|freit|m[äa]r|okt|dez|"
    r"lundi|mardi|mercr|jeudi|vendr|janv|f[ée]vr|avr|juil|ao[ûu]|d[ée]c|"
    r"luned|marted|mercol|gioved|venerd|genn|febbr|magg|giu|lugl|sett|ott|dic|"
    r"maan|dins|woens|donder|vrij|mrt|mei|okt|new\s+year|end\s+of)"
)

PACKS: tuple[LanguagePack, ...] = (
    LanguagePack(
        "en",
        absence=(
            r"\boffline\b|\bunavailable\b|\bon\s+sabbatical\b",
            r"\bon\s+(?:the\s+)?(?:vacation|holiday)s?\s+(?:from|until|till|through)\b",
            r"\b(?:bereavement|annual|unpaid)\s+leave\b|\b(?:a\s+few\s+)?days\s+off\b|"
            r"\btime\s+off\b|\btravell?ing\s+for\b|\bon\s+(?:a\s+)?(?:course|training|"
            r"seminar)\b|\bat\s+(?:a\s+|the\s+|our\s+)?(?:\w+\s+){0,2}(?:summit|conference|"
            r"trade\s+show|fair|expo|kick-?off)\b",
            r"\b(?:paternity|maternity|parental|medical|sick|study|compassionate|"
            r"garden)\s+leave\b",
            r"\bgone\s+(?:fishing|skiing|hiking|sailing)\b|"
            r"\b(?:out|off)\s+sick\b|\bjury\s+duty\b|\b(?:company|team)\s+(?:retreat|"
            r"offsite|off-site)\b",
            r"\bi\s*(?:'m|’m|\s+am)\s+(?:currently\s+)?(?:offline|heads[-\s]down|"
            r"on\s+(?:a\s+)?(?:business\s+trip|work\s+trip|retreat|site\s+visit))\b",
        ),
        back=(
            r"\bback\s+(?:online|in\s+the\s+office|at\s+(?:my\s+)?desk|(?:on\s+)?\w+day|on\s+the\s+\d|from)\b|\b(?:be|am|\'m)\s+back\b|"
            r"\breturning\b|\breturn\s+(?:on|to\s+the\s+office)\b",
        ),
        period=(
            rf"\b(?:until|till|through|thru|back\s+(?:on|in|from)|returning)\s+(?:the\s+)?{_DAY}",
            rf"\bthis\s+week\b|\bthe\s+remainder\s+of\b|\bfrom\s+{_DAY}[^.\n]{{0,20}}\bto\s+{_DAY}",
        ),
        redirect=(
            r"\b(?:please\s+)?direct\s+(?:any|all|your)\s+[\w\s]{0,20}?(?:questions|"
            r"requests|enquiries|inquiries)\s+to\b",
            r"\bis\s+covering\b|\b(?:contact|ping|call|email|reach)\s+(?:my\s+colleague|"
            r"our\s+team|the\s+main\s+office)",
            r"\bmy\s+colleague\b|\btime[-\s]critical\b|\bcan'?t\s+wait\b",
        ),
        limited=(
            r"\bpatchy\b|\bwon\'?t\s+be\s+read\b|\blimited\s+(?:signal|connectivity)\b",
            r"\bnot\s+checking\s+(?:my\s+)?e-?mails?\b|\bspotty\b|\bchecking\s+e-?mail\s+(?:once|"
            r"only)\b|\breplying\s+only\s+occasionally\b|\boccasional\s+access\b|"
            r"\b(?:responses?|replies)\s+(?:will|may|might)\s+be\s+(?:delayed|slow(?:er)?)\b",
        ),
        later=(
            r"\bcatch\s+up\s+on\s+(?:my\s+)?e-?mails?\b",
            r"\b(?:i'?ll|i\s+will)\s+(?:get\s+back\s+to\s+you|respond|reply|answer)\b",
        ),
        answer=(
            r"\bplease\s+take\s+me\s+off\b|\bhappy\s+with\s+our\s+current\b",
            r"\bwe'?ll\s+(?:decide|talk|discuss|review|see|sort)\b|\bloop\s+(?:him|her|them|me|us)\s+in\b",
            r"\b(?:does|would|could)\s+\w+\s+(?:work|suit)\b|\bsend\s+(?:it|them|"
            r"me)\s+over\b|\bgo\s+ahead\b|(?:^|[.!:;,]\s*)yes\b",
            # agreeing after the absence ("..., but yes"), proposing or accepting a time ("the week of 11 January
            # is good")
            r"\bbut\s+(?:yes|sure|absolutely|definitely)\b|\bthe\s+week\s+of\b|\b(?:works|suits)\s+(?:for\s+)?(?:me|us)\b|"
            r"\b(?:is|sounds|would\s+be)\s+(?:good|fine|great|perfect)\b",
        ),
    ),
    LanguagePack(
        "es",
        absence=(
            r"\bno\s+estar[ée]\s+disponible\b|\bno\s+disponible\b",
            r"\bferia\b|\bformaci[oó]n\b|\bcurso\b|\bseminario\b|\bviaje\b|\bd[ií]as?\s+de\s+descanso\b|"
            r"\bfestivo\b",
            r"\bd[ií]as\s+libres\b|\bvacaciones\b|\bde\s+baja\b|\bbaja\s+(?:por\s+)?(?:maternidad|"
            r"paternidad|m[ée]dica)",
            r"\bpermiso\s+(?:de|por)\b|\bcongreso\b|\bviaje\s+de\s+(?:trabajo|negocios)\b|"
            r"\bausente\b",
        ),
        back=(
            r"\bregreso\b|\bvuelvo\b|\bvolver[ée]\b|\bde\s+vuelta\b|\bdespu[ée]s\s+de\b",
        ),
        period=(
            r"\bhasta\s+(?:despu[ée]s\s+de|el\s+final\s+de|final\s+de)\b",
            rf"\bhasta\s+(?:el\s+)?(?:d[ií]a\s+)?{_DAY}",
            r"\bdel\s+\d{1,2}\s+(?:de\s+\w+\s+)?al\s+\d{1,2}",
            rf"\ba\s+partir\s+del?\s+{_DAY}|\bvolver[ée]\b",
        ),
        redirect=(
            r"\bse\s+gestionan\s+en\b|\bdir[ií]jase\s+a\b|\ba\s+cargo\s+de\b",
            r"\bcompañer[oa]\b|\batendid[oa]\s+por\b|\bescrib(?:a|e)\s+a\b|\bcontacte\s+con\b|"
            r"\burgencia\b|\burgente\b",
        ),
        limited=(
            r"\bleo\s+el\s+correo\s+(?:a\s+última\s+hora|ocasionalmente|poco)\b|"
            r"\bno\s+podr[ée]\s+atender\b",
            r"\bno\s+(?:reviso|leo|consulto)\s+(?:el|mi)\s+correo\b|\bacceso\s+(?:limitado|"
            r"restringido)\b",
        ),
        later=(
            r"\ben\s+cuanto\s+(?:pueda|regrese|vuelva)\b",
            r"\ble\s+contestar[ée]\b|\bte\s+responder[ée]\b|\ba\s+la\s+vuelta\b|"
            r"\brespondo\s+a\s+partir\b|\ba\s+mi\s+regreso\b",
        ),
        answer=(
            r"\bpodemos\s+(?:quedar|vernos|hablar)\b|\bme\s+interesa\b",
            r"\bm[áa]nd(?:a|e)me\b|\benv[ií](?:a|e)me\b|\bpuede[sn]?\s+(?:enviarme|"
            r"mandarme)\b|\bpodemos\s+(?:hablar|vernos)\b",
            r"\bpero\s+s[ií]\b|\bla\s+semana\s+del?\b|\bme\s+(?:va|viene)\s+bien\b",
        ),
    ),
    LanguagePack(
        "pt",
        absence=(
            r"\bindispon[íi]vel\b|\brecesso\b",
            r"\bafastad[oa]\b|\btreinamento\b|\bforma[çc][ãa]o\b|\bcurso\b|\bfeira\b|"
            r"\bcongresso\b|\bfolga\b|\bviagem\b",
            r"\bf[ée]rias\b|\blicen[çc]a(?:[-\s](?:maternidade|paternidade|m[ée]dica))?\b|"
            r"\bviajando\b|\bem\s+viagem\b|\bausente\b|\bfora\s+em\s+servi[çc]o\b|"
            r"\bde\s+baixa\b",
        ),
        back=(
            r"\bvolto\b|\bretorno\b|\bregresso\b|\bde\s+volta\b",
        ),
        period=(
            rf"\bat[ée]\s+(?:(?:o|ao)\s+)?(?:dia\s+)?{_DAY}",
            r"\bentre\s+os\s+dias\s+\d",
            r"\bretorno\s+(?:em|no|dia)\b",
        ),
        redirect=(
            r"\bprocure\s+(?:o|a)\b",
            r"\bfale\s+com\b|\bcontacte\b|\bcontate\b|\bcolega\b|\burg[êe]ncia\b",
        ),
        limited=(
            r"\bsem\s+acesso\b|\bacesso\s+(?:restrito|limitado)\b",
        ),
        later=(
            r"\brespondo\b|\bresponderei\b|\bassim\s+que\s+(?:eu\s+)?(?:retornar|"
            r"voltar|regressar)\b",
        ),
        answer=(
            r"\bpodemos\s+marcar\b|\bmarcar\s+uma\b|\bagendar\b",
            r"\bpode\s+(?:me\s+)?mandar\b|\bpode\s+(?:me\s+)?enviar\b|\bme\s+mand[ae]\b|"
            r"\bpodemos\s+(?:falar|conversar)\b",
            r"\bmas\s+sim\b|\ba\s+semana\s+(?:de|do)\b|\b(?:est[áa]|fica)\s+(?:[óo]tim[oa]|bom|boa|perfeit[oa])\b",
        ),
    ),
    LanguagePack(
        "ja",
        absence=(
            r"産休|育休|返信ができません",
            r"会議|展示会|セミナー|学会|帰省|有給|社外",
            r"出張|休暇|休業|休み(?:を|に|で|中)|不在|外出|研修|療養",
        ),
        back=(
            r"戻り|復帰|出社|再開",
        ),
        period=(
            r"\d+月\d+日(?:（.）|\(.\))?(?:まで|～|~|から|より)|\d+年\d+月(?:末)?まで|まで(?:の間|期間)",
        ),
        redirect=(
            r"引き継|担当は",
            r"至急|お急ぎ|後任|までご連絡|までお願い|代理",
        ),
        limited=(
            r"確認が遅れ|対応できません|ご返信(?:が|に)遅れ",
        ),
        later=(
            r"ご返信いたします|改めてご連絡",
            r"順次|対応いたします|返信させていただきます|ご連絡いたします",
        ),
        answer=(
            r"お送りください|送ってください|前向きに検討",
            r"いかがでしょうか|ご都合|お願いできますか",
            r"\d+日の週|の週(?:で|が|は)",
        ),
    ),
    LanguagePack(
        "zh",
        absence=(
            r"会议|展会|年休|公休|调休|探亲|放假",
            r"休年假|年假|休假|出差|培训|培訓|产假|產假|病假|婚假|外地|在外",
        ),
        back=(
            r"返回|回来|回到|恢复|节后",
        ),
        period=(
            r"\d+月\d+日\s*(?:至|到|-|~)|(?:至|到)\s*\d+月\d+日|\d+月\d+日\s*(?:返回|回来|回到)|"
            r"明年|下周|届时",
        ),
        redirect=(
            r"联系|聯繫|聯絡|急事|紧急|緊急",
        ),
        limited=(
            r"不便查看|回复可能不及时|回覆可能不及時|无法及时|無法及時",
        ),
        later=(
            r"第一时间回复|回来后",
            r"再回复|再回覆|届时|屆時|尽快回复|盡快回覆",
        ),
        answer=(
            r"能否|可以吗|是否方便|通个电话|打个电话",
            r"那周|那一周|那个星期|那週",
        ),
    ),
    LanguagePack(
        "ko",
        absence=(
            r"휴가|출장|부재",
        ),
        period=(
            r"\d+월\s*\d+일\s*까지|까지",
        ),
        redirect=(
            r"급한\s*용무|연락\s*바랍니다|연락\s*주시기",
        ),
        answer=(
            r"주가\s*(?:좋|괜찮)|좋습니다|괜찮습니다",
        ),
    ),
    LanguagePack(
        "sk/cs",
        absence=(
            r"\bna\s+dovolenk[ea]\b|\bna\s+dovolen[éa]\b|\bna\s+pracovnej\s+ceste\b|\bna\s+služební\s+cest[ěe]\b|"
            r"\bpracovnej\s+neschopnosti\b|\bnemocenské\b",
        ),
        back=(
            r"\bvrátim\b|\bvrátím\b|\bnávrat\w*\b",
        ),
        period=(rf"\bdo\s+(?:dňa\s+|dne\s+)?{_DAY}", r"\bodo\s+dňa\b|\bod\s+\d"),
        redirect=(r"\bkontaktujte\b|\bkoleg(?:u|yňu|yni)\b|\bv\s+(?:naliehavých|naléhavých)\b|\bv\s+prípade\s+potreby\b",),
        limited=(r"\bobmedzený\s+prístup\b|\bomezený\s+přístup\b",),
        later=(r"\bpo\s+(?:mojom|mém)\s+návrate\b|\bpo\s+návratu\b|\bodpoviem\b|\bodpovím\b",),
    ),
    LanguagePack(
        "pl",
        absence=(
            r"\bszkoleni(?:u|a|e)\b|\bkonferencji\b|\btargach\b|\bchorobow\w*\b|"
            r"\bpoza\s+biurem\b",
            r"\burlop(?:ie|u)?\b|\bdelegacj[iy]\b|\bzwolnieniu\s+lekarskim\b|\bnie\s+ma\s+mnie\b|"
            r"\bwyje[źz]dzie\b",
        ),
        back=(
            r"\bwracam\b|\bwrócę\b|\bpo\s+(?:moim\s+)?powrocie\b",
        ),
        period=(
            rf"\bdo\s+(?:dnia\s+)?{_DAY}",
            rf"\bod\s+{_DAY}",
        ),
        redirect=(
            r"\bsekretariat\w*\b",
            r"\bpilnych\b|\bkontakt(?:ować|owac|u|\s+z)\b|\bproszę\s+(?:pisać|dzwonić)\b",
        ),
        limited=(
            r"\bnie\s+mam\s+dostępu\b",
            r"\bograniczony\s+dostęp\b|\bnie\s+są\s+przekazywane\b|\bbez\s+dostępu\b",
        ),
        later=(
            r"\bodpowiem\b|\bodpiszę\b|\bpo\s+(?:moim\s+)?powrocie\b",
        ),
        answer=(
            r"\bczy\s+pasuje\b|\bchętnie\s+porozmawiam\b|\bproszę\s+przesłać\b",
            r"\bale\s+tak\b|\btydzień\s+od\b|\bpasuje\s+(?:mi|nam)\b",
        ),
    ),
    LanguagePack(
        "sv",
        absence=(
            r"\bstängt\b|\bsemesterstängt\b",
            r"\butbildning\b|\bkonferens\b|\bmässa\b|\bkurs\b|\bsjuk\b",
            r"\bledig\b|\bsemester\b|\btjänsteresa\b|\bföräldraledig\b|\bkundbesök\b|"
            r"\bsjukskriven\b|\bbortrest\b",
        ),
        back=(
            r"\btillbaka\b",
        ),
        period=(
            r"\bresten\s+av\s+veckan\b",
            rf"\btill\s+(?:och\s+med\s+)?(?:den\s+)?{_DAY}|\bhela\s+veckan\b|\bt\.o\.m\.",
        ),
        redirect=(
            r"\bring\s+växeln\b|\bakuta\b",
            r"\bkontakta\b|\bkollega\b|\bbrådskande\b",
        ),
        limited=(
            r"\bläser\s+inte\b",
            r"\bläser\s+(?:mina\s+)?(?:mejl|e-?post)\s+sporadiskt\b|\bbegränsad\s+tillgång\b",
        ),
        later=(
            r"\bsvarar\s+på\s+(?:mejl|e-?post)\b",
            r"\båterkommer\b|\bsvarar\s+(?:när|så\s+snart)\b",
        ),
        answer=(
            r"\bvi\s+kan\s+(?:ta|boka|höras)\b|\bpassar\s+det\b|\bom\s+det\s+passar\b",
            r"\bmen\s+(?:absolut|ja|visst|gärna)\b|\bskicka\s+(?:ett|en|mig|gärna|över)\b|\bveckan\s+(?:den\s+|från\s+)?\d",
        ),
    ),
    LanguagePack(
        "de",
        absence=(
            r"\boffline\b|\bnicht\s+verfügbar\b",
            r"\bfortbildung\b|\bschulung\b|\bseminar\b|\bmesse\b|\bkonferenz\b|\babwesend\b",
            r"\b(?:jahres)?urlaub\b|\belternzeit\b|\bkundentermin\b|\bdienstreise\b|"
            r"\bkrank(?:geschrieben)?\b",
        ),
        back=(
            r"\bzurück\b|\bwieder\s+(?:da|im|erreichbar|online)\b",
        ),
        period=(
            rf"\bbis\s+(?:einschließlich\s+|zum\s+)?{_DAY}",
            rf"\bab\s+(?:dem\s+)?{_DAY}",
        ),
        redirect=(
            r"\bkolleg(?:e|in)\b|\bwenden\s+sie\s+sich\b|\bdringend",
        ),
        limited=(
            r"\bsporadisch\b|\bnur\s+selten\b",
            r"\blese\s+(?:meine\s+)?e-?mails\s+nicht\b|\bnicht\s+weitergeleitet\b",
        ),
        later=(
            r"\bwieder\s+(?:für\s+sie\s+da|am\s+schreibtisch|im\s+büro|erreichbar)\b",
        ),
        answer=(
            r"\brufen\s+sie\s+mich\b|\binteressiert\b",
            r"\bkönnen\s+sie\s+mir\b|\bschicken\s+sie\s+mir\b",
            r"\baber\s+ja\b|\bdie\s+woche\s+(?:vom|ab)\b|\bpasst\s+(?:mir|uns)\b",
        ),
    ),
    LanguagePack(
        "fr",
        absence=(
            r"\barrêt\s+maladie\b|\bindisponible\b",
            r"\bformation\b|\bséminaire\b|\bsalon\b|\bconférence\b|\bmaladie\b|\bvacances\b",
            r"\bcongé(?:s)?\b|\brtt\b|\babsente?\b|\bdéplacement\b|\bpas\s+joignable\b",
        ),
        back=(
            r"\bde\s+retour\b|\breviens\b|\breprise\b",
        ),
        period=(
            rf"\bjusqu['’]\s*(?:au|à)\s+(?:(?:lundi|mardi|mercredi|jeudi|vendredi)\s+)?{_DAY}|\bce\s+(?:lundi|mardi|mercredi|jeudi|vendredi)\b",
        ),
        redirect=(
            r"\badresser\s+vos\s+demandes\b|\bcontacter\b|\burgence\b",
        ),
        limited=(
            r"\bne\s+consulte\s+pas\b",
            r"\bpas\s+joignable\b|\bsans\s+accès\b",
        ),
        later=(
            r"\bje\s+vous\s+r[ée]pondrai\b",
            r"\bà\s+mon\s+retour\b|\bje\s+reviens\s+vers\s+vous\b|\bje\s+traiterai\b",
        ),
        answer=(
            r"\benvoyez-moi\b|\bpouvez-vous\b",
            r"\bmais\s+oui\b|\bla\s+semaine\s+du\b|\bme\s+(?:va|convient)\b",
        ),
    ),
    LanguagePack(
        "it",
        absence=(
            r"\bfiera\b|\bcorso\b|\bformazione\b|\bconvegno\b|\bconferenza\b|\bvacanza\b|"
            r"\bpermesso\b",
            r"\bferie\b|\btrasferta\b|\bmaternit[àa]\b|\bpaternit[àa]\b|\bchius[oa]\s+per\b|"
            r"\bmalattia\b",
        ),
        back=(
            r"\brientro\b|\btorno\b|\bdi\s+ritorno\b",
        ),
        period=(
            rf"\bfino\s+a(?:l|lla)?\s+{_DAY}",
            r"\bdal\s+\d{1,2}\s+\w+\s+al\s+\d{1,2}",
        ),
        redirect=(
            r"\bper\s+urgenze\b|\bcontattare\b|\bcollega\b|\bscrivere\s+a\b",
        ),
        limited=(
            r"\bsaltuariamente\b",
            r"\baccesso\s+limitato\b",
        ),
        later=(
            r"\brisponderemo\b|\brisponder[òo]\b|\balla\s+riapertura\b|\bal\s+(?:mio\s+)?rientro\b",
        ),
        answer=(
            r"\bmi\s+mandi\b|\bmi\s+invii\b|\bmi\s+interessa\b",
            r"\bma\s+s[ìi]\b|\bla\s+settimana\s+del\b|\bmi\s+va\s+bene\b",
        ),
    ),
    LanguagePack(
        "nl",
        absence=(
            r"\bcursus\b|\btraining\b|\bopleiding\b|\bseminar\b",
            r"\bverlof\b|\bvakantie\b|\bbeurs\b|\bziek\b|\bcongres\b",
        ),
        back=(
            r"\bterug\b|\bweer\s+(?:aanwezig|bereikbaar|op\s+kantoor)\b",
        ),
        period=(
            rf"\btot\s+(?:en\s+met\s+)?{_DAY}|\bvanaf\s+(?:maandag|dinsdag|woensdag|donderdag|vrijdag|\d)|\bdeze\s+week\b",
        ),
        redirect=(
            r"\bcollega\b|\bdringende\b|\bterecht\s+bij\b",
        ),
        limited=(
            r"\blees\s+(?:mijn\s+)?(?:e-?)?mail\s+niet\b",
            r"\bniet\s+doorgestuurd\b|\blees\s+(?:mijn\s+)?(?:e-?)?mail\s+beperkt\b",
        ),
        later=(
            r"\breageer\s+ik\s+weer\b|\bneem\s+ik\s+contact\b",
        ),
        answer=(
            r"\bkunnen\s+we\b|\bstuur\s+(?:me|mij)\b",
            r"\bmaar\s+ja\b|\bde\s+week\s+van\b|\bkomt\s+(?:mij|ons)\s+(?:goed\s+)?uit\b",
        ),
    ),
    LanguagePack(
        "he",
        absence=(
            r"בחופשה|בחופש|מחוץ\s+למשרד|בנסיעת\s+עסקים|בחו\"ל|בחופשת\s+מחלה|בחופשת\s+לידה|במילואים",
        ),
        back=(r"אחזור\s+(?:למשרד|ב|ביום)|אשוב",),
        period=(r"עד\s+(?:יום|ה?-?\d|סוף)",),
        redirect=(r"בדחיפות|לעניינים\s+דחופים|ניתן\s+לפנות|נא\s+לפנות",),
        later=(r"אחזור\s+אליך|אענה|כשאחזור|עם\s+שובי",),
        answer=(r"(?:אבל|אך)\s+כן|מעוניינ|תשלח|שלחו?\s+לי|הצעת\s+מחיר",),
    ),
    LanguagePack(
        "ar",
        absence=(r"رحلة\s+عمل|إجازة|اجازة|خارج\s+المكتب|مسافر|في\s+سفر|في\s+مؤتمر",),
        back=(r"عند\s+عودتي|بعد\s+عودتي|سأعود",),
        period=(r"حتى\s+(?:يوم|تاريخ|[\d٠-٩]|الأسبوع|نهاية)",),
        redirect=(r"للأمور\s+العاجلة|في\s+الحالات\s+العاجلة|يرجى\s+(?:التواصل|الاتصال)",),
        later=(r"سأرد|سأقوم\s+بالرد|عند\s+عودتي|بعد\s+عودتي",),
        answer=(r"\bنعم\b|مهتم|أرسل\s+لي|ارسل\s+لي|يناسبني|يناسبنا",),
    ),
    *absence_lexicon_more.packs(),
    # every category of absence, systematically, in each language (after the packs above, which are looked up first)
    *absence_vocab_west.packs(),
    *absence_vocab_north.packs(),
    *absence_vocab_east.packs(),
)

_COMPILED: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (pack.language, part, re.compile("|".join(f"(?:{p})" for p in getattr(pack, part)), re.IGNORECASE))
    for pack in PACKS
    for part in PARTS
    if getattr(pack, part)
)


# A person's answer to the rep in any language, read from its shape rather than a sentence per language:
# a yes or a no opening a sentence or turning it ("..., but yes, ..."), said with a stop after it; the sender's
# own (lack of) interest; asking the reader, not a colleague, to send the offer or to call them.
_YES_NO = (
    r"yes|no|ja|nein|oui|non|s[iíì]|sim|n[ãa]o|nee|nej|nie|tak|ano|ne|evet|hay[ıi]r|kyll[äa]|ei|"
    r"ναι|όχι|네|예|아니요|아니오|हाँ|हां|नहीं|はい|いいえ"
)
_TURN = r"but|aber|mais|pero|mas|ma|maar|men|ale|ama|mutta|αλλά|लेकिन|하지만|stručně|kurz|en\s+bref"
ANSWER_ACROSS = re.compile(
    rf"(?:^|[.!:;,\n।]\s*|\b(?:{_TURN})\s*[:,]?\s+)(?:{_YES_NO})(?:\s*[,.!—–]|\s+(?:thanks?|danke|merci|gracias|"
    r"obrigad[oa]|grazie|dank\s+je|tack|tak|dziękuję|děkuji|teşekkür|kiitos|ευχαριστώ|धन्यवाद)\b)"
    r"|\b(?:not\s+)?interested\b|\binteressiert\b|\b(?:nous|m)['’\s]?int[ée]resse|\bint[ée]ress[ée]e?s\b|\bnos\s+interesa\b|"
    r"\bintresserad|\binteresser(?:ede|et)\b|\bhebben\s+(?:geen\s+)?interesse\b|\b(?:nemáme|máme)\s+zájem\b|"
    r"\bzainteresowan|\bilgileni|\bkiinnostun|ενδιαφερ[όο]μα(?:στε|ι)|관심\s*(?:있|없)|रुचि\s*(?:है|नहीं)|"
    r"\b(?:call|ring|phone)\s+me\b|\bgive\s+me\s+a\s+(?:call|ring)\b|\b(?:zavolejte|zavolej)\s+mi\b|\bring\s+(?:til\s+)?mig\b|\bsoit(?:a|takaa)\s+minulle|\bzadzwo[ńn]\s+do\s+mnie|"
    r"\bbeni\s+aray|\bbel\s+me\b|\bme\s+ligu|\bligue-me|お電話ください|给我打电话|मुझे\s+(?:कॉल|फोन)|"
    r"전화\s*(?:주세요|부탁)|τηλεφωνήστε\s+μου|καλέστε\s+με|\bappelez-moi\b|\bll[áa]m[ae]me\b|\bchiamami\b",
    re.IGNORECASE,
)
# "Send the offer" said to the reader: a verb of sending with an offer in one sentence (mail/absence.py also
# asks that the sentence names no other address).
_SEND = (
    r"send|schicken|senden|envoy|envi|mand|invi|stuur|skicka|przes|prześlij|pošlete|zašlete|pošli|στείλ|gönder|"
    r"보내|lähet|भेज"
)
_OFFER = (
    r"quote|proposal|pricing|offer|angebot|offre|devis|presupuesto|propuesta|proposta|or[çc]amento|preventivo|offert|"
    r"ofert|tilbud|tarjou|nabídk|προσφορ|teklif|견적|कोटेशन"
)
# Scripts without spaces (ja, zh, ko) have no word boundary before the verb or the noun.
SEND = re.compile(rf"\b(?:{_SEND})|送って|送付|お送り|发给|发送|寄给|보내", re.IGNORECASE)
OFFER = re.compile(rf"\b(?:{_OFFER})|見積|报价|報價|견적", re.IGNORECASE)


def find_part(part: str, text: str) -> tuple[str, re.Match[str]] | None:
    """The first pack whose words for `part` occur in `text`, with the match."""
    for language, name, pattern in _COMPILED:
        if name == part:
            found = pattern.search(text)
            if found:
                return language, found
    return None
