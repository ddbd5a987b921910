"""Words of absence notices by category, for English, German, French, Spanish, Italian, Dutch and Portuguese.

absence_lexicon.py's packs grew from the notices testers wrote; each round of fresh notices brought words no
pack knew (a trade fair, a course, sick leave, a company closure). These packs list the same parts
systematically, one category of reason at a time, so that a notice is read whatever reason it gives:
holiday, business trip, trade fair, conference, seminar, training, course, exam, parental leave, sick and
medical leave, bereavement, public holidays, company closure, office move, sabbatical, half-day, day off,
long weekend, away without access, at a customer's site, jury duty, reduced hours, "offline", "away from my
desk", "unavailable", "out of reach", no signal. Then the other parts: a period, a redirection to a
colleague, limited access, an answer put off, and "your mail will not be forwarded / read / will be deleted".

Nouns that are also everyday words ("course", "Kurs", "esame", "Prüfung") are only listed inside the phrase
that makes them an absence ("on a course", "auf einem Kurs"). A promise to answer later counts only when it
speaks of replying ("I'll reply as soon as I can"), not of doing what was asked ("I'll send it as soon as
possible"), which is a person's answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from addin_server.mail.absence_lexicon import LanguagePack

_WEEKDAY_EN = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"


def packs() -> tuple[LanguagePack, ...]:
    """The packs, built when absence_lexicon.py's registry is (it defines LanguagePack before asking)."""
    from addin_server.mail.absence_lexicon import LanguagePack

    return (
        LanguagePack(
            "en",
            absence=(
                # holiday, vacation, leave, PTO
                r"\b(?:on|taking|enjoying)\s+(?:some\s+|a\s+(?:few\s+days|week|couple\s+of\s+\w+)\s+(?:of\s+)?|my\s+|annual\s+)?"
                r"(?:holidays?|vacation|leave|pto|time\s+off|annual\s+leave)\b|\bholidaying\b|\bvacationing\b|\bpto\b|\booto\b",
                # trips and customers' sites
                r"\b(?:on\s+(?:a\s+)?)?(?:business|work)\s+trip\b|\btravell?ing\s+(?:on\s+business|for\s+work|abroad|overseas|"
                r"until|till|through|from|this|next|all)\b|\bon\s+the\s+road\b|\b(?:on[-\s]?site|onsite)\s+(?:at|with)\s+(?:a\s+)?"
                r"(?:customer|client)|\bat\s+(?:a\s+)?(?:customer|client)(?:['’]s)?\s+(?:site|premises|office)\b|"
                r"\b(?:customer|client)\s+visits?\b|\bvisiting\s+(?:customers|clients)\b",
                # fairs, conferences, seminars, trainings, courses, exams
                r"\b(?:attending|exhibiting\s+at|presenting\s+at)\s+(?:a|an|the|our)?\s*(?:[\w&-]+\s+){0,3}?(?:trade\s+fair|"
                r"trade\s+show|tradeshow|exhibition|expo|conference|congress|convention|summit|symposium|seminar|workshop|"
                r"training|course|bootcamp|offsite|off-site|retreat)\b|\b(?:trade\s+fair|trade\s+show|tradeshow)\b|"
                r"\b(?:in|on)\s+(?:a\s+|an\s+)?(?:all-day\s+|full-day\s+)?(?:training|workshop|seminar|training\s+course)\b|"
                r"\b(?:sitting|taking|studying\s+for)\s+(?:an?\s+|my\s+)?exams?\b|\b(?:exam|study)\s+leave\b|"
                r"\bon\s+(?:a|an|our|the)\s+(?:[\w&-]+\s+){0,2}(?:retreat|offsite|off-site|training\s+course|study\s+trip)\b|"
                r"\bi\s*(?:'m|’m|\s+am)\s+(?:currently\s+)?at\s+(?:a|an|the|our)\s+(?:[\w&-]+\s+){0,2}(?:workshop|training|conference|"
                r"summit|fair|expo|offsite|seminar|course|congress|convention|event)s?\b",
                # parental, sick, medical, bereavement
                r"\b(?:parental|maternity|paternity|mat|adoption|family|baby|shared\s+parental)\s+leave\b|"
                r"\b(?:sick|medical|health|sickness|bereavement|compassionate)\s+leave\b|\b(?:off|out|home)\s+sick\b|"
                r"\bsigned\s+off\s+(?:sick|work)\b|\bin\s+(?:the\s+)?hospital\b|\brecovering\s+from\b|\bunwell\b|"
                r"\bfamily\s+emergency\b|\b(?:a|the)\s+funeral\b",
                # public holidays, closures, moves, sabbaticals, days off
                r"\b(?:public|bank|national|federal|state)\s+holidays?\b|\bthanksgiving\b|\b(?:christmas|winter|summer|easter|"
                r"festive|holiday|year[-\s]end)\s+(?:break|closure|shutdown|period|holidays)\b|\bthe\s+holidays\b|"
                r"\b(?:office|offices|company|business|plant|factory|warehouse)\s+(?:is\s+|are\s+|will\s+be\s+)?(?:closed|shut)\b|"
                r"\bclosed\s+(?:for|until|from|between|over)\b|\b(?:company|office|plant|factory)\s+(?:closure|shutdown)\b|"
                r"\boffice\s+(?:move|relocation)\b|\b(?:moving|relocating)\s+(?:our\s+)?offices?\b|\bsabbatical\b|"
                r"\bhalf[-\s]day\b|\bday\s+off\b|\blong\s+weekend\b|\boff\s+(?:work|until|till|through)\b",
                # out of reach: no signal, no access, away from the desk, jury duty, reduced hours
                r"\bunstable\s+(?:connection|internet|connectivity)\b|"
                r"\b(?:no|without|poor|patchy|spotty|little)\s+(?:phone\s+|mobile\s+|cell(?:ular)?\s+|network\s+)?(?:internet|wi-?fi|signal|"
                r"reception|coverage|connectivity|"
                r"connection)\b|\bout\s+of\s+(?:reach|range|coverage)\b|\boff[-\s]the[-\s]grid\b|\boff-grid\b|"
                r"\b(?:will\s+be|am|'m|’m)\s+(?:out|away|off)\s+(?:until|till|through|for\s+(?:a|the|two|three|\d))\b|"
                r"\bnot\s+reachable\b|\bunreachable\b|\baway\s+from\s+(?:my\s+|the\s+)?(?:desk|computer|laptop|keyboard|inbox)\b|"
                r"\bjury\s+(?:duty|service)\b|\b(?:military|reserve|reservist)\s+(?:service|duty)\b|\breduced\s+hours\b|"
                r"\b(?:don'?t|do\s+not)\s+work\s+on\s+" + _WEEKDAY_EN + r"s\b|"
                r"\bwfh\b[^.\n]{0,30}\b(?:no|without)\s+access\b|"
                r"\b(?:i\s*(?:'m|’m|\s+am|\s+will\s+be)|i'll\s+be)\s+not\s+available\b|\bnot\s+available\s+(?:until|till|from|between|"
                r"this\s+week)\b|\baway\s+(?:until|till|through|on|this\s+week|all\s+week)\b",
            ),
            period=(
                r"\b(?:between|from)\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\b[^.\n]{0,25}?\b(?:to|until|till|through|and)\s+"
                r"(?:the\s+)?\d{1,2}",
                r"\b\d{1,2}(?:st|nd|rd|th)?\s*(?:[-–]|to)\s*\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|"
                r"aug|sep|oct|nov|dec)",
                r"\b(?:the\s+)?(?:rest|remainder)\s+of\s+(?:the|this)\s+(?:week|month|day)\b|\ball\s+week\b|"
                r"\bover\s+the\s+(?:holidays|break|christmas\s+period)\b|\bfor\s+(?:a\s+few|two|three|several|\d+)\s+"
                r"(?:days|weeks|months)\b|\buntil\s+further\s+notice\b|\ball\s+day\b|\b(?:until|till)\s+(?:early|mid|late|the\s+(?:end|"
                r"beginning|start|middle)\s+of)\b",
            ),
            redirect=(
                r"\b(?:please\s+)?(?:contact|reach\s+out\s+to|get\s+in\s+touch\s+with|e-?mail|call|ring|write\s+to|speak\s+to)\s+"
                r"(?:my\s+|our\s+)?(?:colleagues?|team|manager|deputy|assistant|backup|office|reception|support|"
                r"customer\s+service|service\s+desk|switchboard)\b",
                r"\b(?:is|are|will\s+be)\s+(?:covering|standing\s+in|looking\s+after|taking\s+care\s+of|handling|managing)\s+"
                r"(?:for\s+me|my)\b|"
                r"\bin\s+my\s+absence\b|\banything\s+(?:urgent|pressing|time[-\s]sensitive)\b|"
                r"\b(?:urgent|pressing)\s+(?:matters|issues|requests|queries|questions)\b",
            ),
            limited=(
                r"\b(?:checking|reading|monitoring)\s+(?:my\s+)?(?:e-?mails?|messages|inbox)\s+(?:only\s+)?(?:occasionally|"
                r"sporadically|intermittently|rarely|periodically|infrequently|irregularly|once\s+a\s+day)\b",
                r"\b(?:won'?t|will\s+not)\s+be\s+(?:checking|reading|monitoring|answering)\b|\b(?:no|without|restricted)\s+"
                r"access\s+to\s+(?:e-?mail|my\s+e-?mails?|my\s+inbox|my\s+laptop)\b",
                r"\b(?:replies|responses?|answers?)\s+(?:will|may|might|could)\s+be\s+(?:delayed|slow(?:er)?|limited)\b|"
                r"\bslower\s+than\s+usual\b|\b(?:replies|responses?|answers?)\s+will\s+follow\b",
                # what happens to the mail meanwhile
                r"\b(?:e-?mails?|messages?|mail)\s+(?:will|is|are)\s+not\s+(?:be\s+)?(?:forwarded|read|monitored|processed)\b|"
                r"\bwill\s+(?:not\s+be\s+forwarded|be\s+deleted)\b|\bdeleted\s+(?:unread|without\s+being\s+read)\b",
            ),
            later=(
                r"\b(?:i'?ll|i\s+will|i\s+shall)\s+(?:\w+\s+){0,2}?(?:reply|respond|get\s+back\s+to\s+you|answer|be\s+in\s+touch)\b"
                r"[^.!?\n]{0,50}?\b(?:as\s+soon\s+as|when|once|upon|after|at\s+the\s+earliest|in\s+due\s+course|shortly)\b",
                r"\b(?:upon|on|after)\s+my\s+return\b|\b(?:when|once)\s+i\s*(?:'m|’m|\s+am)\s+back\b",
            ),
            answer=(
                r"\b(?:your|the)\s+(?:deck|proposal|pricing|demo|trial|pilot|offer|quote)\s+(?:looks?|sounds?|seems?)\b|"
                r"\b(?:that|this|which|" + _WEEKDAY_EN + r")\s+(?:works|suits)\b|\bsounds\s+(?:good|great|fine)\b|"
                # declining: not the right fit, not a priority, pass on this
                r"\bnot\s+(?:the\s+right\s+|a\s+(?:good\s+)?)fit\b|\bnot\s+a\s+priority\b|\bpass\s+on\s+this\b|\bno\s+budget\s+for\b",
            ),
        ),
        LanguagePack(
            "de",
            absence=(
                r"\b\w*urlaub\w*\b|\b(?:dienst|geschäfts)reise\w*|\bauf\s+reisen\b|\bim\s+ausland\b|\bunterwegs\b|"
                r"\bbeim\s+kunden\b|\bkundenbesuch\w*|\bkundentermin\w*|\bau(?:ß|ss)endienst\w*",
                r"\b\w*(?:messe|kongress|tagung|fortbildung|weiterbildung|schulung|konferenz)\b|\b(?:auf|in|bei)\s+(?:einem|einer|der|"
                r"dem)\s+\w*(?:kurs|lehrgang|seminar|training|workshop)\b|\bprüfungs(?:phase|zeit|vorbereitung)\b",
                r"\b(?:elternzeit|mutterschutz|mutterschaft\w*|vaterschaft\w*|karenz|babypause)\b|\bkrank(?:geschrieben|gemeldet)?\b|\bkrankheitsbedingt\b|\bkrankmeldung\b|\bkrankenstand\b|\barbeitsunfähig\b|"
                r"\bzur\s+kur\b|\bin\s+(?:der\s+)?reha\b|\bim\s+krankenhaus\b|\btrauerfall\w*|\bbeerdigung\b|\btodesfall\b",
                r"\bfeiertag\w*|\bbrückentag\w*|\bbetriebs(?:ferien|schließung|ruhe)\b|\b(?:büro|firma|geschäft|werk|praxis)\s+"
                r"(?:ist\s+|bleibt\s+)?(?:geschlossen|zu)\b|\bgeschlossen\s+(?:vom|bis|ab|von|zwischen|über|wegen)\b|\bzwischen\s+den\s+jahren\b|\b(?:büro|firmen)?umzug(?:e?s)?\b|"
                r"\bsabbatical\b|\bauszeit\b|\bhalbe[nr]?\s+tag\b|\bfreie[nr]?\s+tag\b|\bfreie\s+tage\b|\bhabe\s+frei\b|"
                r"\b(?:ausgleichstag|gleittag|zeitausgleich|überstundenabbau)\b|\blanges\s+wochenende\b",
                r"\bkein(?:en|e)?\s+(?:empfang|netz|internet|wlan)\b|\bschlechte[nrm]?\s+(?:empfang|netz|verbindung)\b|"
                r"\bnicht\s+(?:am\s+platz|am\s+arbeitsplatz|im\s+haus|verfügbar|erreichbar)\b|\bschöffe\w*|\bteilzeit\b|"
                r"\bhomeoffice\s+ohne\s+(?:zugriff|zugang|vpn)\b|\binstabile[nr]?\s+(?:verbindung|internet)\b|"
                r"\b(?:wehr|reserve)dienst\b|\bkurzarbeit\b",
            ),
            period=(
                r"\bvom\s+\d{1,2}\.?\s*(?:\w+\s+)?(?:bis|-|–)\s*(?:zum\s+)?\d{1,2}",
                r"\b(?:diese|die\s+ganze)\s+woche\b|\bden\s+rest\s+der\s+woche\b|\bbis\s+auf\s+weiteres\b|\bbis\s+(?:ende|anfang|mitte)"
                r"\s+\w+|\büber\s+(?:die\s+)?(?:feiertage|weihnachten|ostern)\b|\bim\s+zeitraum\b|"
                r"\bnur\s+(?:montags|dienstags|mittwochs|donnerstags|freitags)\b",
            ),
            redirect=(
                r"\b(?:meine[nrm]?|unsere[nrm]?)\s+(?:kolleg\w*|vertret\w*|stellvertret\w*|team|sekretariat|assistenz|zentrale|"
                r"kundenservice|support)\b|\bvertritt\s+mich\b|\bvertreten\s+durch\b|\bin\s+meiner\s+abwesenheit\b",
                r"\bin\s+eiligen\s+fällen\b|\b(?:eilige|dringende)\s+(?:anfragen|anliegen|fragen|angelegenheiten|themen)\b|"
                r"\b(?:kontaktieren|erreichen)\s+sie\s+(?:bitte\s+)?(?:meine|meinen|unsere|unseren|die|den|das)\b|"
                r"\bschreiben\s+sie\s+(?:bitte\s+)?an\b",
            ),
            limited=(
                r"\b(?:lese|prüfe|checke|bearbeite)\s+(?:meine\s+)?(?:e-?mails?|nachrichten|mails?|postfach)\s+(?:nur\s+)?"
                r"(?:sporadisch|unregelmäßig|selten|eingeschränkt|gelegentlich|nicht)\b|\bnur\s+(?:sporadisch|eingeschränkt|"
                r"gelegentlich|bedingt|unregelmäßig)\s+(?:erreichbar|zugriff|lesen)\b",
                r"\b(?:e-?mails?|nachrichten|ihre\s+(?:e-?mail|nachricht))\s+(?:werden|wird)\s+(?:nicht\s+(?:weitergeleitet|"
                r"gelesen|bearbeitet)|gelöscht)\b|\bkein(?:en)?\s+(?:zugriff|zugang)\s+auf\s+(?:meine\s+)?(?:e-?mails?|mails?|"
                r"postfach)\b|\bverzögert\s+(?:beantwortet|bearbeitet)\b",
            ),
            later=(
                r"\bnach\s+meiner\s+rückkehr\b|\bnach\s+meinem\s+(?:urlaub|wiedereintritt)\b|\b(?:melde|kümmere)\s+ich\s+mich\b"
                r"[^.!?\n]{0,40}\b(?:sobald|nach|umgehend|schnellstmöglich|baldmöglichst)\b|\bbeantworte\s+ich\b",
            ),
            answer=(
                r"\blassen\s+sie\s+uns\b|\bschicken\s+sie\s+(?:mir|uns)\b|\bsenden\s+sie\s+(?:mir|uns)\s+(?:gern|bitte|das|die|ihr)\b|"
                r"\bpasst\s+(?:gut|prima|super)\b|\bklingt\s+gut\b",
            ),
        ),
        LanguagePack(
            "fr",
            absence=(
                r"\b(?:en|à\s+un|à\s+une)\s+(?:congés?|vacances|rtt|repos|récupération|formation|séminaire|déplacement|voyage|mission|clientèle|"
                r"arrêt\s+(?:maladie|de\s+travail))\b|\ben\s+arrêt\b|"
                # the office left for a time: "j'ai quitté le bureau pour les fêtes", "jusqu'au 4 janvier"
                r"\b(?:j['’]ai\s+)?quitté\s+(?:le\s+bureau|l['’]agence|le\s+cabinet)\s+(?:pour\s+(?:les|la|le|l['’])|jusqu)",
                r"\bcongés?\s+(?:payés|annuels|maternité|paternité|parental|maladie|sans\s+solde)\b|\bcongé\s+(?:de\s+)?(?:maternité|"
                r"paternité|parental|maladie|deuil|sabbatique|formation)\b|\bjours?\s+(?:de\s+)?(?:congés?|repos|récupération)\b|"
                r"\bjours?\s+fériés?\b|\bférié\b|\bfais\s+le\s+pont\b|\bpont\s+(?:de|du)\b",
                r"\b(?:salon|foire|congrès|colloque|séminaire)\b|\bmaladie\b|\bhospitalisée?\b|\bconvalescence\b|"
                r"\bdécès\b|\bobsèques\b|\bdeuil\b",
                r"\b(?:bureaux?|société|entreprise|agence|usine|magasin)\s+(?:est|sont|sera|seront|restera|resteront)\s+fermée?s?\b|"
                r"\bfermée?s?\s+(?:du|jusqu|pour|entre)\b|\bfermeture\s+(?:annuelle|estivale|exceptionnelle|du\s+bureau|de\s+"
                r"l['’]entreprise|de\s+nos\s+bureaux)\b|\bdéménag\w*|\bsabbatique\b|\bdemi-journée\b|\blong\s+week-end\b|"
                r"\bweek-end\s+prolongé\b",
                r"\bhors\s+(?:du\s+bureau|ligne|réseau|bureau)\b|\bpas\s+de\s+(?:réseau|connexion|signal)\b|\bconnexion\s+(?:limitée|"
                r"aléatoire)\b|\bréseau\s+(?:limité|aléatoire)\b|\bchez\s+(?:un\s+)?client\b|\bsur\s+site\s+client\b|\bjuré\b|"
                r"\btemps\s+partiel\b|\bpas\s+(?:au\s+bureau|disponible)\b|\bloin\s+de\s+mon\s+(?:bureau|ordinateur)\b|"
                r"\btélétravail\s+sans\s+accès\b|\bconnexion\s+instable\b",
            ),
            period=(
                r"\bdu\s+\d{1,2}(?:er)?\s+(?:\w+\s+)?au\s+\d{1,2}\b|\bjusqu['’]\s*(?:au|à\s+la|à)\s+(?:fin|début|mi-?)\w*|"
                r"\bjusqu['’]à\s+nouvel\s+ordre\b|\bcette\s+semaine\b|\btoute\s+la\s+semaine\b|\ble\s+reste\s+de\s+la\s+semaine\b|"
                r"\bpendant\s+les\s+(?:fêtes|vacances)\b|\bà\s+partir\s+du\s+\d",
            ),
            redirect=(
                r"\b(?:mon|ma|mes|notre)\s+(?:collègues?|collaborat(?:eur|rice)s?|assistante?|remplaçante?|suppléante?|équipe|"
                r"binôme|responsable)\b|\b(?:merci\s+de|veuillez|vous\s+pouvez)\s+(?:contacter|joindre|écrire\s+à|vous\s+adresser|"
                r"appeler)\b|\ben\s+mon\s+absence\b|\bpour\s+toute\s+(?:question|demande)\s+urgente\b|\bsi\s+(?:c['’]est|votre\s+"
                r"demande\s+est)\s+urgent\w*\b",
            ),
            limited=(
                r"\b(?:je\s+)?(?:consulte|lis|relève)\s+(?:mes\s+)?(?:e-?mails|mails|messages|courriels|ma\s+messagerie)\s+(?:que\s+)?"
                r"(?:ponctuellement|occasionnellement|rarement|irrégulièrement|de\s+façon\s+(?:limitée|irrégulière|ponctuelle))\b|"
                r"\baccès\s+(?:limité|restreint|ponctuel)\b",
                r"\b(?:message|courriel|e-?mail|mail)\s+(?:ne\s+sera\s+pas\s+(?:transféré|lu|traité)|sera\s+supprimé)\b|"
                r"\bne\s+sera\s+(?:pas\s+)?(?:transféré|lu)\b|\bréponse\s+(?:sera\s+)?(?:différée|retardée)\b",
            ),
            later=(
                r"\bje\s+(?:vous\s+)?(?:répondrai|reviendrai\s+vers\s+vous|recontacterai|traiterai)\b|\bdès\s+(?:mon\s+retour|que\s+je\s+"
                r"serai\s+de\s+retour)\b|\bà\s+mon\s+retour\b",
            ),
            answer=(
                r"\bça\s+me\s+(?:va|convient)\b|\bparlons-en\b|\benvoyez(?:-moi|-nous)\b|\bfaisons\s+(?:un|le)\s+point\b",
            ),
        ),
        LanguagePack(
            "es",
            absence=(
                r"\b(?:de|en)\s+(?:un\s+|una\s+|el\s+|la\s+)?(?:vacaciones|viaje|baja|permiso|licencia|excedencia|formaci[oó]n|capacitaci[oó]n|curso|congreso|"
                r"feria|conferencia|seminario|asuntos\s+propios|descanso)\b|\bde\s+viaje\s+de\s+(?:trabajo|negocios)\b",
                r"\bbaja\s+(?:por\s+)?(?:maternidad|paternidad|m[ée]dica|enfermedad|laboral|parental)\b|\b(?:permiso|licencia)\s+"
                r"(?:de|por)\s+(?:maternidad|paternidad|enfermedad|duelo|fallecimiento|estudios|matrimonio)\b|"
                r"\bincapacidad\s+temporal\b|\benferm[oa]\b|\bhospitalizad[oa]\b|\bduelo\b|\bfallecimiento\b",
                r"\bd[ií]as?\s+(?:festivos?|feriados?|libres?|de\s+asuntos\s+propios|de\s+vacaciones|de\s+descanso)\b|\bfestivo\b|"
                r"\bferiado\b|\bd[ií]a\s+puente\b|\bmedio\s+d[ií]a\b|\bmedia\s+jornada\b|\bjornada\s+reducida\b|"
                r"\bfin\s+de\s+semana\s+largo\b|\ba[ñn]o\s+sab[áa]tico\b|\bsab[áa]tico\b",
                r"\b(?:oficina|oficinas|empresa|tienda)\s+(?:est[áa]n?|permanecer[áa]n?|estar[áa]n?)\s+cerrad[oa]s?\b|"
                r"\bcerrad[oa]s?\s+(?:por|del|hasta|desde)\b|\bcierre\s+(?:por|de\s+(?:la\s+)?(?:oficina|empresa|vacaciones)|anual|"
                r"navideño)\b|\bmudanza\b|\btraslado\s+de\s+oficinas?\b",
                r"\bfuera\s+de\s+cobertura\b|\bsin\s+(?:cobertura|conexi[oó]n|internet|se[ñn]al)\b|\bdesconectad[oa]\b|"
                r"\bvisitando\s+clientes\b|\bconexi[oó]n\s+inestable\b|\ben\s+(?:casa\s+de\s+un\s+|las\s+oficinas\s+de\s+un\s+)?cliente\b|\bjurado\s+popular\b",
            ),
            period=(
                r"\bentre\s+el\s+\d{1,2}\s+y\s+el\s+\d{1,2}\b|\besta\s+semana\b|\btoda\s+la\s+semana\b|\bel\s+resto\s+de\s+la\s+semana\b|"
                r"\bdurante\s+(?:las\s+fiestas|las\s+vacaciones)\b|\bhasta\s+nuevo\s+aviso\b|\bdesde\s+el\s+\d",
            ),
            redirect=(
                r"\b(?:mi|mis|nuestro|nuestra)\s+(?:compañer[oa]s?|colegas?|sustitut[oa]|suplente|asistente|equipo|responsable)\b|"
                r"\b(?:por\s+favor\s+)?(?:contacte|contacta|escriba|llame|dir[ií]jase|dir[ií]gete)\s+(?:a|con)\b|"
                r"\ben\s+mi\s+ausencia\b|\bsi\s+es\s+urgente\b|\bpuede\s+(?:contactar|escribir|llamar)\s+(?:a|con)\b",
            ),
            limited=(
                r"\b(?:reviso|leo|consulto|revisar[ée]|leer[ée])\s+(?:el|mi)\s+correo\s+(?:de\s+forma\s+|de\s+manera\s+)?(?:ocasional|"
                r"esporádica|limitada|puntual|ocasionalmente|esporádicamente)\b|\bacceso\s+(?:limitado|restringido|esporádico)\b",
                r"\b(?:correo|mensaje)\s+no\s+ser[áa]\s+(?:reenviado|le[ií]do)\b|\bno\s+ser[áa]\s+(?:reenviado|le[ií]do)\b|"
                r"\bser[áa]\s+(?:eliminado|borrado)\b|\brespuesta\s+(?:puede\s+)?(?:retrasarse|demorarse)\b",
            ),
            later=(
                r"\b(?:le|te|les)\s+(?:responder[ée]|contestar[ée]|escribir[ée])\b|\ba\s+mi\s+(?:regreso|vuelta|retorno|reincorporaci[oó]n)\b|"
                r"\ben\s+cuanto\s+(?:regrese|vuelva|me\s+reincorpore)\b|\bcuando\s+(?:regrese|vuelva|me\s+reincorpore)\b",
            ),
            answer=(
                r"\bsuena\s+bien\b|\bme\s+parece\s+(?:bien|perfecto)\b|\bhablemos\b|\bme\s+encaja\b",
            ),
        ),
        LanguagePack(
            "it",
            absence=(
                r"\b(?:in|di|a|ad)\s+(?:un\s+|una\s+|un['’]\s*)?(?:ferie|vacanza|trasferta|viaggio|malattia|maternità|paternità|congedo|permesso|formazione|"
                r"aspettativa|missione)\b|\bcongedo\s+(?:parentale|di\s+maternità|di\s+paternità|per\s+malattia|straordinario)\b",
                r"\b(?:festività|giorno\s+festivo|mezza\s+giornata|giornata\s+libera|giorn[oi]\s+liber[oi]|lungo\s+weekend|"
                r"ponte\s+festivo|anno\s+sabbatico|sabbatico|recesso|lutto|ricoverat[oa]|malat[oa])\b|\b(?:a|ad|al|in)\s+(?:un\s+|una\s+)?"
                r"(?:convegno|congresso|seminario)\b|\bsessione\s+d['’]esami\b|\besami\s+universitari\b",
                r"\bchius[oai]\s+(?:per|dal|fino)\b|\b(?:ufficio|uffici|azienda|sede|negozio)\s+(?:è\s+|sono\s+|sarà\s+|saranno\s+|"
                r"rimarrà\s+|resterà\s+|rimarranno\s+)?chius[oai]\b|\bchiusura\s+(?:aziendale|estiva|natalizia|per\s+ferie|degli\s+"
                r"uffici)\b|\btrasloco\b",
                r"\b(?:presso|da)\s+(?:un\s+)?cliente\b|\bnon\s+(?:sono\s+|sarò\s+)?(?:raggiungibile|disponibile|reperibile)\b|"
                r"\bsenza\s+(?:copertura|connessione|rete|segnale)\b|\bconnessione\s+(?:instabile|limitata|scarsa)\b|\bpart[-\s]time\b|\bgiurato\b|\bassente\b",
            ),
            period=(
                r"\btra\s+il\s+\d{1,2}\s+e\s+il\s+\d{1,2}\b|\bquesta\s+settimana\b|\btutta\s+la\s+settimana\b|\brientrer[òo]\b|"
                r"\bil\s+resto\s+della\s+settimana\b|\bfino\s+a\s+nuovo\s+avviso\b|\bdurante\s+le\s+(?:feste|festività|vacanze)\b|"
                r"\bfino\s+(?:al|a)\s+(?:fine|inizio|metà)\b",
            ),
            redirect=(
                r"\b(?:il\s+mio|la\s+mia|i\s+miei|le\s+mie)\s+(?:collega|colleghi|colleghe|sostitut[oa]|assistente|referente|team|"
                r"responsabile)\b|\b(?:si\s+rivolga\s+a|rivolgersi\s+a|contatti|scriva\s+a)\b|\bin\s+mia\s+assenza\b|"
                r"\bper\s+(?:qualsiasi|ogni)\s+(?:urgenza|necessit[àa]|esigenza)\b|\bscrivete\s+a\b|\bse\s+(?:è|la\s+questione\s+è)\s+urgente\b",
            ),
            limited=(
                r"\b(?:controllo|leggo|consulto|controllerò|leggerò)\s+(?:la\s+)?(?:posta|mail|e-?mail)\s+(?:solo\s+)?(?:saltuariamente|"
                r"raramente|occasionalmente|sporadicamente)\b|\baccesso\s+(?:ridotto|saltuario)\b",
                r"\b(?:e-?mail|mail|messaggio|posta)\s+non\s+(?:sarà|verrà)\s+(?:inoltrat[oa]|lett[oa])\b|\b(?:sarà|verrà)\s+"
                r"(?:cancellat[oa]|eliminat[oa])\b|\brisposte?\s+(?:potrebbero\s+)?(?:subire\s+)?ritard\w*\b",
            ),
            later=(
                r"\b(?:le|ti|vi)\s+risponderò\b|\b(?:la|ti|vi)\s+ricontatterò\b|\bappena\s+(?:rientro|torno|rientrerò)\b",
            ),
            answer=(
                r"\bmi\s+sta\s+bene\b|\bsentiamoci\b|\bmi\s+(?:va|andrebbe)\s+bene\b|\bmi\s+faccia\s+avere\b",
            ),
        ),
        LanguagePack(
            "nl",
            absence=(
                r"\b(?:met|op)\s+(?:vakantie|verlof|reis|zakenreis|dienstreis|cursus|training|congres|beurs|seminar)\b|"
                r"\b\w*(?:vakantie|verlof)\b|\b(?:adv|atv)(?:-?dag)?\b|\bvrije?\s+dag(?:en)?\b|\bvrij\s+(?:tot|t/m|van)\b",
                r"\bziek(?:gemeld|teverlof)?\b|\bbegrafenis\b|\bfeestdag\w*|\b(?:kantoor|bedrijf|kantoren|winkel)\s+(?:is\s+|zijn\s+)?"
                r"gesloten\b|\bgesloten\s+(?:van|tot|t/m|tussen|wegens|vanwege)\b|\b\w*sluiting\b|\bverhuizing\b|"
                r"\b(?:zijn|is)\s+(?:wij|we|ons\s+kantoor|het\s+kantoor)\b[^.\n]{0,60}\bgesloten\b|"
                r"\bsabbatical\b|\bhalve\s+dag\b|\blang\s+weekend\b",
                r"\bbij\s+(?:een\s+)?klant\b|\bop\s+locatie\b|\bgeen\s+(?:bereik|internet|wifi|verbinding|signaal)\b|"
                r"\bbeperkt\s+bereik\b|\binstabiele\s+verbinding\b|\bniet\s+(?:bereikbaar|beschikbaar)\b|\bonderweg\b|\bdeeltijd\b|\bjurylid\b|"
                r"\b(?:examen|tentamen)\w*|\bin\s+het\s+buitenland\b",
            ),
            period=(
                r"\bvan\s+\d{1,2}\s+(?:\w+\s+)?(?:tot\s+(?:en\s+met\s+)?|t/m\s+|-\s*)\d{1,2}\b|\bt/m\s+(?:\d|maandag|dinsdag|woensdag|"
                r"donderdag|vrijdag)|\bde\s+rest\s+van\s+de\s+week\b|\bde\s+hele\s+week\b|\btot\s+nader\s+bericht\b|"
                r"\btijdens\s+de\s+(?:feestdagen|vakantie)\b",
            ),
            redirect=(
                r"\b(?:mijn|onze)\s+(?:collega\w*|vervang(?:er|ster)|assistent\w*|team|afdeling|secretariaat|binnendienst)\b|"
                r"\bcontact\s+opnemen\s+met\b|\bneem\s+(?:dan\s+)?contact\s+op\b|\bmailen\s+naar\b|\bbellen\s+(?:met|naar)\b|"
                r"\btijdens\s+mijn\s+afwezigheid\b|\bvoor\s+(?:dringende|spoedeisende)\b|\bbij\s+spoed\b",
            ),
            limited=(
                r"\b(?:lees|check|bekijk)\s+(?:ik\s+)?(?:mijn\s+)?(?:e-?mail|mail|berichten)\s+(?:slechts\s+|alleen\s+)?(?:beperkt|"
                r"sporadisch|af\s+en\s+toe|niet|nauwelijks|onregelmatig)\b|\bbeperkte?\s+toegang\b",
                r"\b(?:e-?mail|mail|bericht)\s+(?:wordt|zal)\s+niet\s+(?:worden\s+)?(?:doorgestuurd|gelezen)\b|"
                r"\bwordt\s+(?:verwijderd|gewist)\b|\bvertraagd\s+(?:beantwoord|gelezen)\b",
            ),
            later=(
                r"\b(?:na|bij)\s+(?:mijn\s+)?(?:terugkomst|terugkeer)\b|\b(?:beantwoord|behandel|reageer)\s+ik\b|"
                r"\bneem\s+ik\s+contact\s+(?:met\s+u|met\s+je)\s+op\b|\bkom\s+ik\s+(?:erop|er\s+op)\s+terug\b",
            ),
            answer=(
                r"\bklinkt\s+goed\b|\blaten\s+we\b|\bstuur\s+(?:maar|gerust)\b",
            ),
        ),
        LanguagePack(
            "pt",
            absence=(
                r"\b(?:de|em|num|numa)\s+(?:um\s+|uma\s+)?(?:f[ée]rias|licen[çc]a|viagem|folga|recesso|forma[çc][ãa]o|treinamento|curso|congresso|feira|"
                r"confer[êe]ncia|semin[áa]rio|baixa)\b|\blicen[çc]a[-\s](?:maternidade|paternidade|m[ée]dica|parental|sa[úu]de|"
                r"nojo|luto|pr[êe]mio)\b",
                r"\batestado\s+m[ée]dico\b|\bde\s+atestado\b|\bdoente\b|\binternad[oa]\b|\bhospitalizad[oa]\b|\bcirurgia\b|\bluto\b|"
                r"\bfalecimento\b|\bferiado\b|\bferiad[ãa]o\b|\bmeio\s+(?:per[íi]odo|expediente)\b|\bdia\s+de\s+folga\b|"
                r"\bday\s+off\b|\bfim\s+de\s+semana\s+prolongado\b|\bsab[áa]tico\b|\bmudan[çc]a\s+de\s+escrit[óo]rio\b",
                r"\b(?:escrit[óo]rio|empresa|loja)\s+(?:est[áa]|estar[áa]|ficar[áa]|permanecer[áa])\s+fechad[oa]\b|"
                r"\bfechad[oa]s?\s+(?:para|at[ée]|entre)\b",
                r"\blonge\s+do\s+(?:escrit[óo]rio|computador)\b|\bsem\s+(?:sinal|cobertura|internet|rede|conex[ãa]o)\b|"
                r"\bfora\s+de\s+(?:cobertura|alcance|área)\b|\bconex[ãa]o\s+inst[áa]vel\b|\b(?:no|em)\s+cliente\b|\bem\s+campo\b|\bj[úu]ri\b|"
                r"\bfora\s+(?:da\s+empresa|do\s+pa[íi]s)\b",
            ),
            period=(
                r"\bde\s+\d{1,2}\s+(?:de\s+\w+\s+)?(?:a|at[ée])\s+\d{1,2}\b|\bentre\s+(?:os\s+dias\s+)?\d{1,2}\s+e\s+\d{1,2}\b|"
                r"\besta\s+semana\b|\b(?:a\s+semana\s+toda|toda\s+(?:a\s+)?semana)\b|\bo\s+resto\s+da\s+semana\b|"
                r"\bat[ée]\s+segunda\s+ordem\b|\ba\s+partir\s+d[eo]\s+(?:dia\s+)?\d",
            ),
            redirect=(
                r"\b(?:meu|minha|meus|minhas|nosso|nossa)\s+(?:colegas?|substitut[oa]|assistente|equipe|equipa|gestor[a]?|"
                r"respons[áa]vel)\b|\b(?:entre\s+em\s+contato|entrar\s+em\s+contato|contacte|contate|procure|ligue)\s+(?:com|para|o|a)\b|"
                r"\bna\s+minha\s+aus[êe]ncia\b|\bpara\s+(?:assuntos|quest[õo]es|temas|demandas)\s+urgentes\b|\bcaso\s+(?:seja\s+)?urgente\b",
            ),
            limited=(
                r"\b(?:verificarei|verifico|leio|lerei|consulto|consultarei)\s+(?:o\s+|meu\s+|os\s+)?(?:e-?mails?|correio)\s+(?:apenas\s+)?"
                r"(?:esporadicamente|ocasionalmente|raramente|periodicamente)\b|\bacesso\s+espor[áa]dico\b",
                r"\b(?:mensagem|e-?mail)\s+n[ãa]o\s+ser[áa]\s+(?:encaminhad[oa]|reencaminhad[oa]|lid[oa])\b|\bser[áa]\s+(?:apagad[oa]|"
                r"exclu[íi]d[oa]|eliminad[oa])\b|\bresposta\s+(?:poder[áa]\s+)?(?:atrasar|demorar)\b",
            ),
            later=(
                r"\b(?:retornarei\s+(?:o\s+)?(?:seu\s+)?contato|entrarei\s+em\s+contato)\b|\bap[óo]s\s+o\s+meu\s+(?:regresso|retorno)\b",
            ),
            answer=(
                r"\bvamos\s+(?:marcar|falar|conversar)\b|\bcombinado\b|\bparece\s+(?:bom|[óo]timo)\b",
            ),
        ),
    )
