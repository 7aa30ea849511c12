"""Redaction of inspection reports for the public, done on the way into the template context, never in
the template: every free text goes through :func:`redact`. Students' names and numbers and people's
contact details are removed; supervisors and coordinators are named by their role; inspectors are named
(by their full name only: they act in an official capacity).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from partners.models import Membership
from students.models import Placement
from supervision.models import Inspection

REDACTED = "[redacted]"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digits with the separators people type in phone numbers; judged by _phone_or_keep below.
_PHONE = re.compile(r"(?<![\w.])\+?\(?[0-9][0-9 ().-]{5,}[0-9](?![\w])")
_DATE = re.compile(r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}")
# A letter or digit that is not CJK: what a Latin term must not touch on either side. A CJK character next
# to it is a boundary ("Huang Xin老师": Chinese text runs on without spaces).
_LATIN_WORD_CHAR = r"[^\W\u2e80-\u9fff\uf900-\ufaff]"


def _phone_or_keep(match: re.Match[str]) -> str:
    """Redact a digit run that looks like a phone number (7 digits or more); keep dates and short numbers."""
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < 7 or _DATE.fullmatch(text.strip()):
        return text
    return REDACTED


#: Titles written before a name: never redacted on their own (the name after them is).
_TITLES = frozenset({"Dr", "Mr", "Ms", "Mrs", "Prof", "Jr", "Sr"})
#: A CJK run inside a name; runs shorter than this (a family name alone, 黄) are not matched on their own.
_CJK_RUN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff]+")
_CJK_MIN = 2
_CJK_GAP = re.compile(r"(?<=[\u2e80-\u9fff\uf900-\ufaff])\s+(?=[\u2e80-\u9fff\uf900-\ufaff])")


@dataclass(frozen=True)
class NameTerms:
    """The terms one recorded name is matched by (see :func:`name_terms`)."""

    exact: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    cjk: tuple[str, ...] = ()


def name_terms(name: str) -> NameTerms:
    """Split a recorded name into what to look for in free text.

    A name may be written in two scripts ("Huang Xin 黄欣"), and texts use either, so each script's part
    is a term of its own: the Latin part whole (case-insensitive), each of its words when it has several
    ("Huang" in "Huang was late"; case-sensitive, so the common word "smith" stays), and each CJK run of
    two characters or more (matched anywhere: Chinese has no spaces between words). A two-letter word
    ("Li", "Na", "Wu") is looked for capitalised, as names are written: "Li" goes, "li" stays. One-letter
    words (initials) and titles ("Dr") are not terms on their own.
    """
    name = _CJK_GAP.sub("", " ".join(name.split()))  # 黄 欣 is 黄欣: Chinese is written without spaces
    cjk = tuple(run for run in _CJK_RUN.findall(name) if len(run) >= _CJK_MIN)
    latin = " ".join(_CJK_RUN.sub(" ", name).split()).strip(" .,;:'\"()[]/-·")
    if len(latin) < 2:
        return NameTerms(cjk=cjk)
    words = [w.strip(".,;:'\"()[]") for w in latin.split()]
    parts: list[str] = []
    if len(words) > 1:
        for word in words:
            if not word.replace("-", "").replace("'", "").isalpha() or word in _TITLES or len(word) < 2:
                continue
            if len(word) == 2:
                parts.append(word[0].upper() + word[1].lower())
            else:
                parts.append(word)
    return NameTerms(exact=(latin,), parts=tuple(parts), cjk=cjk)


@dataclass
class Redactor:
    """Replaces the names, student numbers, e-mails and phones of the people an inspection concerns.

    Built once per inspection (a few queries), then applied to every free text of a report. Full Latin
    names, numbers, e-mails and phones match whole words, case-insensitively; a Latin name's single words
    match case-sensitively (so "Smith" goes, "smith" as a common word stays); CJK names match anywhere,
    since Chinese text has no spaces between words. A CJK character counts as a word boundary for the
    Latin terms ("Huang Xin老师"). See :func:`name_terms` for how a name becomes terms.
    """

    exact: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    cjk: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        def alternation(terms: Iterable[str]) -> str:
            unique = sorted({t for t in terms if t}, key=lambda t: (-len(t), t))
            return "|".join(re.escape(t) for t in unique)

        pieces = []
        exact = alternation(self.exact)
        before, after = rf"(?<!{_LATIN_WORD_CHAR})", rf"(?!{_LATIN_WORD_CHAR})"
        if exact:
            pieces.append(rf"(?i:{before}(?:{exact}){after})")
        parts = alternation(self.parts)
        if parts:
            pieces.append(rf"{before}(?:{parts}){after}")
        cjk = alternation(self.cjk)
        if cjk:
            pieces.append(rf"(?:{cjk})")
        self._pattern = re.compile("|".join(pieces)) if pieces else None

    def __call__(self, text: str) -> str:
        if not text:
            return text
        text = _EMAIL.sub(REDACTED, text)
        if self._pattern is not None:
            text = self._pattern.sub(REDACTED, text)
        return _PHONE.sub(_phone_or_keep, text)


def scrub_contacts(text: str) -> str:
    """``text`` with anything shaped like an e-mail address or a phone number replaced (names kept)."""
    return _PHONE.sub(_phone_or_keep, _EMAIL.sub(REDACTED, text)) if text else text


def inspectors_of(inspection: Inspection) -> list[User]:
    """The inspectors assigned to an inspection, in a stable order (one query)."""
    return list(User.objects.filter(inspection_assignments__inspection=inspection).order_by("pk"))


def public_inspector_names(inspectors: Iterable[User]) -> list[str]:
    """How public reports, pages and the API name the inspectors.

    Inspectors act in an official capacity, so the public may know who inspected (accountability): they
    are named, but by their recorded full name only, never by the username that ``display_name`` falls
    back to, and with anything shaped like contact details removed. One without a full name is "an
    inspector", so the count stays true.
    """
    names = []
    for inspector in inspectors:
        name = scrub_contacts(" ".join(inspector.full_name.split()))
        names.append(name or _("an inspector"))
    return names


def _people_of(inspection: Inspection) -> list[User]:
    """Everyone whose name an inspection's texts may carry: the students ever placed at the target
    partner, and the partner's people (every membership, ended ones too)."""
    partner_id = inspection.target_partner_id
    placed = Placement.objects.filter(partner_id=partner_id).values("student__user_id")
    members = Membership.objects.filter(partner_id=partner_id).values("user_id")
    return list(User.objects.filter(Q(pk__in=placed) | Q(pk__in=members)).order_by("pk"))


def redactor_for(inspection: Inspection) -> Redactor:
    """The redactor for one inspection's texts (see :func:`redact`)."""
    exact: list[str] = []
    parts: list[str] = []
    cjk: list[str] = []

    def add_name(name: str) -> None:
        terms = name_terms(name)
        exact.extend(terms.exact)
        parts.extend(terms.parts)
        cjk.extend(terms.cjk)

    for person in _people_of(inspection):
        for name in (person.full_name, person.get_full_name(), person.display_name):
            add_name(name)
        exact.extend(value for value in (person.email, person.phone) if value)
    numbers = Placement.objects.filter(partner_id=inspection.target_partner_id).values_list(
        "student__student_number", flat=True
    )
    exact.extend(number for number in numbers if number)
    partner = inspection.target_partner
    add_name(partner.contact_name)
    exact.extend(value for value in (partner.contact_email, partner.contact_phone) if value)
    return Redactor(exact=exact, parts=parts, cjk=cjk)


def redact(text: str, inspection: Inspection) -> str:
    """``text`` with the personal data of the people ``inspection`` concerns replaced by "[redacted]".

    Replaced: the names, e-mails and phones of the students ever placed at the target partner and of the
    partner's people (and its contact person), the students' numbers, and anything shaped like an e-mail
    address or a phone number (7 digits or more; dates are kept).

    A name recorded in two scripts ("Huang Xin 黄欣") is matched by each: the Latin name whole, each of its
    words, and the CJK name anywhere in the text (see :func:`name_terms`).

    Limits: it only knows the people recorded in Tandem. These pass through: a nickname or a misspelling;
    a name written in a script it is not recorded in ("Huang Xin" when only 黄欣 is recorded); a CJK family
    name alone (黄老师: one character is too common to match); an initial; a two-letter name word not
    written capitalised ("li", "LI"); a description ("the only male student of the 2026 cohort"); a number
    of fewer than 7 digits. Over-redaction is the accepted failure: a word that happens to be someone's
    name goes too, two-letter ones included ("He said" when someone is named He Wei). The office reads the
    public version before publishing it; the preview on the publish page is there for that.
    """
    return redactor_for(inspection)(text)
