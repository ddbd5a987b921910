"""Email addresses as the product compares them.

Two spellings name the same mailbox when they differ only in case, Unicode composition or a
display name around them. Gmail also ignores dots and "+tags" in the local part and treats
googlemail.com as gmail.com: those variants are *aliases* of one mailbox, kept apart from an
exact match so the rules can say which one matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from email.utils import getaddresses
from functools import lru_cache

GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_MAX_ADDRESS = 320  # RFC 3696 erratum: 64 local + @ + 255 domain
# A bare address needs no header parsing: no display name, quotes, comments or lists.
_BARE = re.compile(r"[^\s<>\"(),;:@]+@[^\s<>\"(),;:@]+")


class InvalidAddress(ValueError):
    """Text that is not an email address."""


def _domain_ascii(domain: str) -> str:
    domain = domain.strip().rstrip(".").lower()
    if not _idna_letters_only(domain):
        return domain  # left non-ASCII: not a host name, so not an address
    try:
        # IDNA keeps "bücher.de" and "xn--bcher-kva.de" equal.
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def _idna_letters_only(domain: str) -> bool:
    """IDNA 2008 allows letters, digits, marks and hyphens in a label, written as themselves: a
    symbol ("℮" for e) or a compatibility form ("ⅿ" for m, fullwidth letters), which the older IDNA
    of Python's codec silently maps or keeps, would let a domain pass for another."""
    if domain.isascii():
        return True
    if unicodedata.normalize("NFKC", domain) != domain:
        return False
    return all(c in ".-" or unicodedata.category(c)[0] in "LMN" for c in domain)


def normalize(text: str) -> str:
    """The comparable form of one address: bare, NFC, lower case, ASCII domain.

    Accepts `Jane Doe <Jane@Example.COM>` as well as a bare address. Raises InvalidAddress.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > 2 * _MAX_ADDRESS:
        raise InvalidAddress("empty or oversized address")
    return _normalize(text)


@lru_cache(maxsize=65536)  # pure; the add-ins ask about the same recipients again and again
def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text.strip())
    if not _BARE.fullmatch(text):
        parsed = [addr for _, addr in getaddresses([text]) if addr]
        if len(parsed) != 1:
            raise InvalidAddress(f"not one email address: {text[:80]!r}")
        text = parsed[0].strip()
    local, sep, domain = text.rpartition("@")
    if not sep or not local or not domain or " " in text or "@" in local.strip('"'):
        raise InvalidAddress(f"not an email address: {text[:80]!r}")
    local = _unquoted_if_same(local)
    # An unquoted local part is dot-separated atoms (RFC 5322): no dot first, last or doubled, none
    # of the specials a quoted string is needed for. (A domain's root dot, "x.example.", names the
    # same domain and is dropped below.)
    unquoted = not (local.startswith('"') and local.endswith('"') and len(local) > 1)
    if unquoted and not _is_dot_atom(local):
        raise InvalidAddress(f"not an email address: {text[:80]!r}")
    if _is_gmail_domain(domain) and not fold_normalized(f"{local.lower()}@gmail.com").partition("@")[0]:
        # "+x@gmail.com": no Gmail mailbox is named by a tag alone.
        raise InvalidAddress(f"not an email address: {text[:80]!r}")
    ascii_domain = _domain_ascii(domain)
    if not _is_host_name(ascii_domain) or not local.isprintable() or not _bidi_ok(ascii_domain):
        raise InvalidAddress(f"not an email address: {text[:80]!r}")
    address = f"{local.lower()}@{ascii_domain}"
    if len(address) > _MAX_ADDRESS:
        raise InvalidAddress(f"not an email address: {text[:80]!r}")
    return address


_SPECIALS = frozenset('()<>[]:;@\\,"') | frozenset(" \t")


def _is_dot_atom(local: str) -> bool:
    """RFC 5322 dot-atom (with RFC 6532's non-ASCII letters): atoms of text without specials,
    joined by single dots."""
    return all(atom and not _SPECIALS & set(atom) for atom in local.split("."))


def _unquoted_if_same(local: str) -> str:
    """A quoted local part whose text is a plain dot-atom names the same mailbox as that dot-atom
    (RFC 5321 section 4.1.2): `"ava.reed"` is ava.reed. Other quoted local parts stay quoted."""
    if not (len(local) > 1 and local.startswith('"') and local.endswith('"')):
        return local
    inner = re.sub(r"\\(.)", r"\1", local[1:-1])
    return inner if _is_dot_atom(inner) else local


def _is_gmail_domain(domain: str) -> bool:
    return _domain_ascii(domain) in GMAIL_DOMAINS


_RTL = frozenset({"R", "AL", "AN"})


def _bidi_ok(domain: str) -> bool:
    """The Bidi Rule of IDNA (RFC 5893 section 2) for a domain with right-to-left characters: a
    label such as "١" (an Arabic-Indic digit alone) is not a name any registry hands out."""
    try:
        # The A-label form too: "xn--9hb" is "١" once decoded.
        labels = domain.encode("ascii").decode("idna").split(".") if domain.isascii() else domain.split(".")
    except UnicodeError:
        return False
    if not any(unicodedata.bidirectional(c) in _RTL for label in labels for c in label):
        return True
    for label in labels:
        kinds = [unicodedata.bidirectional(c) for c in label]
        if not kinds:
            return False
        core = kinds[:]
        while core and core[-1] == "NSM":
            core.pop()
        if not core:
            return False
        if kinds[0] in ("R", "AL"):
            allowed = {"R", "AL", "AN", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"}
            if not set(kinds) <= allowed or core[-1] not in ("R", "AL", "EN", "AN") or \
                    ("EN" in kinds and "AN" in kinds):
                return False
        elif kinds[0] == "L":
            if not set(kinds) <= {"L", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"} or core[-1] not in ("L", "EN"):
                return False
        else:
            return False
    return True


_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _is_host_name(domain: str) -> bool:
    """A domain mail can be delivered to: dot-separated letters-digits-hyphen labels (after IDNA),
    none empty ("x..com"), none starting or ending with a hyphen, a top-level label that is not all
    digits. Address literals such as [127.0.0.1] are refused: no rep's contact is reached that way."""
    labels = domain.split(".")
    return (len(labels) >= 2 and len(domain) <= 253 and all(_LABEL.fullmatch(label) for label in labels)
            and not labels[-1].isdigit())


def try_normalize(text: str) -> str | None:
    try:
        return normalize(text)
    except InvalidAddress:
        return None


def domain_of(address: str) -> str:
    return normalize(address).rpartition("@")[2]


def canonical(address: str) -> str:
    """The mailbox an address delivers to: folds Gmail's dots, +tags and googlemail.com.

    Other providers are left as normalised: sub-addressing and dots are not universal there.
    """
    return fold_normalized(normalize(address))


def fold_normalized(address: str) -> str:
    """canonical() for an address that is already normalised."""
    local, _, domain = address.rpartition("@")
    if domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def is_alias_spelling(a: str, b: str) -> bool:
    """True when two different spellings reach the same Gmail mailbox."""
    na, nb = normalize(a), normalize(b)
    return na != nb and canonical(na) == canonical(nb)


def parse_address_list(values: Iterable[str]) -> list[str]:
    """Every valid address in header-style values, normalised, first occurrence kept."""
    seen: dict[str, None] = {}
    for _, addr in getaddresses(list(values)):
        norm = try_normalize(addr)
        if norm:
            seen.setdefault(norm, None)
    return list(seen)


def is_free_mail(domain: str, free_mail_domains: Collection[str]) -> bool:
    """Free-mail providers are never a company: a shared gmail.com says nothing."""
    d = _domain_ascii(domain)
    return d in free_mail_domains or any(d.endswith("." + f) for f in ("gmail.com", "outlook.com"))


def company_domains(domains: Iterable[str], free_mail_domains: Collection[str]) -> list[str]:
    """The domains that may identify a company: normalised, free-mail ones dropped."""
    out: dict[str, None] = {}
    for d in domains:
        d = _domain_ascii(d)
        if d and "." in d and not is_free_mail(d, free_mail_domains):
            out.setdefault(d, None)
    return list(out)


# --- Look-alike addresses ------------------------------------------------------------------------
#
# The idea of Unicode TR39 (security mechanisms), kept small and written for addresses: an address
# that claims a rep must not pass for another one. Three things are refused outright, and what is
# left is compared by a *claim key* (the Gmail-folded mailbox with look-alike letters replaced by
# the ASCII letter they pass for), so two spellings of one mailbox, or a spoof of it, never belong
# to two accounts.

# Letters of other scripts (and a few Latin extensions) that are drawn like an ASCII letter. ASCII
# itself is left alone: "rn"/"m" or "1"/"l" are different addresses people really have.
_LOOKS_LIKE_ASCII = str.maketrans({
    # Cyrillic (lower case: addresses are compared case-folded)
    "а": "a", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j", "ӏ": "l", "о": "o", "р": "p",
    "ԛ": "q", "ѕ": "s", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y", "ү": "y", "ԍ": "g",
    # Greek
    "α": "a", "ϲ": "c", "η": "n", "ι": "i", "ϳ": "j", "ν": "v", "ο": "o", "ρ": "p", "υ": "u", "χ": "x",
    "γ": "y",
    # Armenian
    "զ": "q", "հ": "h", "ո": "n", "ս": "u", "օ": "o", "ց": "g",
    # Latin letters outside ASCII that pass for ASCII ones
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ʏ": "y", "ᴅ": "d", "ɢ": "g", "ʜ": "h", "ɪ": "i",
    "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v",
    "ᴡ": "w", "ᴢ": "z", "ꜱ": "s",
})

# Scripts that may share one name (TR39's "highly restrictive" level): Latin with the scripts of
# Japanese, Chinese or Korean writing. Anything else mixed in one local part or label is refused.
_SCRIPT_SETS = (frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}), frozenset({"LATIN", "HAN", "BOPOMOFO"}),
                frozenset({"LATIN", "HAN", "HANGUL"}))


def _script(char: str) -> str | None:
    """The script of a letter (from its Unicode name), or None for digits, marks and punctuation."""
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "")
    if name.startswith(("CJK ", "IDEOGRAPHIC")):
        return "HAN"
    first = name.split(" ", 1)[0]
    return None if first in ("", "MODIFIER") else first


def scripts_of(text: str) -> frozenset[str]:
    return frozenset(s for s in map(_script, text) if s is not None)


def mixes_scripts(text: str) -> bool:
    """True when one name mixes scripts no writing system mixes (Latin with Cyrillic or Greek...)."""
    scripts = scripts_of(text)
    return len(scripts) > 1 and not any(scripts <= allowed for allowed in _SCRIPT_SETS)


def skeleton(text: str) -> str:
    """What a text looks like: compatibility forms folded (fullwidth, styled letters), case folded,
    and letters drawn like an ASCII letter replaced by it. Equal skeletons read the same."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return unicodedata.normalize("NFC", folded.translate(_LOOKS_LIKE_ASCII))


def _unicode_domain(ascii_domain: str) -> str:
    try:
        return ascii_domain.encode("ascii").decode("idna")
    except UnicodeError:
        return ascii_domain


def lookalike_problem(address: str) -> str | None:
    """Why a normalised address cannot claim a rep, or None. Product sentences (tests/unit/domain):

    - an address written with compatibility forms (fullwidth letters, styled or circled letters) is
      refused: its plain spelling is the address;
    - a local part or a domain label that mixes scripts (Latin with Cyrillic or Greek letters) is refused;
    - a local part or a domain label in other letters that reads exactly as a Latin one (an all-Cyrillic
      "аdmin", "ехаmple.com") is refused.
    """
    local, _, domain = address.rpartition("@")
    if unicodedata.normalize("NFKC", local) != local:
        return "is written with fullwidth or styled letters; write it in plain letters"
    for part in [local, *_unicode_domain(domain).split(".")]:
        if mixes_scripts(part):
            return f"mixes letters of different scripts in {part!r}"
        if not part.isascii() and skeleton(part).isascii():
            return f"is written in letters that only look like {skeleton(part)!r}"
    return None


def claim_key(address: str) -> str:
    """The key two claims of one mailbox share: Gmail's spellings folded (dots, +tags, googlemail)
    and look-alike letters read as the ASCII ones they pass for. Raises InvalidAddress."""
    local, _, domain = fold_normalized(normalize(address)).rpartition("@")
    return f"{skeleton(local)}@{skeleton(_unicode_domain(domain))}"
