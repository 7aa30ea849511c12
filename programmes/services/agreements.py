"""Every write about programmes and their cooperation agreements.

An agreement binds the lead university and one or more partners taking part in the programme, each
with its responsibilities and obligations, for a period; its signed document is a PDF checked by
content. Agreements are never deleted: ending one early is a termination with a reason, kept in its
history.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.uploads import validate_pdf
from partners import access
from partners.models import Partner, PartnerStatus
from programmes.models import Agreement, AgreementParty, AgreementStatus, Participation, Programme

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: The history keeps the reason for a termination; its column holds 100 characters.
MAX_TERMINATION_REASON = 100


@dataclass(frozen=True)
class PartyTerms:
    """One party to an agreement: the partner and what it takes on."""

    partner: Partner
    responsibilities: str = ""
    obligations: str = ""


def _party_terms(
    programme: Programme, parties: Iterable[PartyTerms], already: frozenset[int] = frozenset()
) -> tuple[list[PartyTerms], list[str]]:
    """The parties to keep (the lead university added when missing) and what is wrong with them. A
    suspended partner enters no new agreement: it may stay a party where it already is one (``already``)."""
    parties = list(parties)
    participations = {
        p.partner_id: p for p in Participation.objects.filter(programme=programme).select_related("partner")
    }
    errors: list[str] = []
    seen: set[int] = set()
    for party in parties:
        if party.partner.pk in seen:
            errors.append(_("%(partner)s is named twice.") % {"partner": party.partner.name})
        seen.add(party.partner.pk)
        if party.partner.pk not in participations:
            errors.append(_("%(partner)s does not take part in this programme.") % {"partner": party.partner.name})
        if party.partner.status == PartnerStatus.SUSPENDED and party.partner.pk not in already:
            errors.append(_("%(partner)s is suspended and enters no new agreement.") % {"partner": party.partner.name})
    if not any(party.partner.pk != programme.lead_university_id for party in parties):
        errors.append(_("Choose at least one partner besides the lead university."))
    lead = participations.get(programme.lead_university_id)
    if programme.lead_university_id not in seen:
        responsibilities = lead.responsibilities if lead is not None else ""
        parties.insert(0, PartyTerms(partner=programme.lead_university, responsibilities=responsibilities))
    return parties, errors


def _check_fields(agreement: Agreement) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if agreement.start_date and agreement.end_date and agreement.end_date < agreement.start_date:
        errors["end_date"] = [_("The end date cannot be before the start date.")]
    if agreement.status == AgreementStatus.TERMINATED:
        errors["status"] = [_("To end an agreement, terminate it with a reason.")]
    try:
        agreement.full_clean(
            exclude=["document", "document_sha256", "created_by", "programme"], validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    return errors


def _check_document(upload: UploadedFile | None) -> dict[str, list[str]]:
    if upload is None:
        return {}
    try:
        validate_pdf(upload, field="document", max_bytes=MAX_DOCUMENT_BYTES)
    except ValidationError as error:
        return dict(error.message_dict)
    return {}


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _apply(agreement: Agreement, **terms: Any) -> None:
    """Set each term given; ``None`` leaves it as it is."""
    for name, value in terms.items():
        if value is not None:
            setattr(agreement, name, value)


def _store_document(agreement: Agreement, upload: UploadedFile) -> None:
    agreement.document_sha256 = _sha256(upload)
    # The stored name is ours, not the uploader's: the file is served by ``programmes:agreement-document``.
    agreement.document.save(f"agreement-{agreement.pk}.pdf", upload, save=False)


def _save_parties(agreement: Agreement, parties: list[PartyTerms]) -> None:
    AgreementParty.objects.bulk_create(
        AgreementParty(
            agreement=agreement,
            partner=party.partner,
            responsibilities=party.responsibilities.strip(),
            obligations=party.obligations.strip(),
        )
        for party in parties
    )


@transaction.atomic
def agreement_create(
    *,
    programme: Programme,
    by: User,
    title: str | None = None,
    reference: str | None = None,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    status: str | None = None,
    parties: Iterable[PartyTerms],
    document: UploadedFile | None = None,
) -> Agreement:
    """Record a cooperation agreement of a programme (office): its terms, its parties (partners taking
    part in the programme; the lead university always among them) and, optionally, the signed PDF."""
    access.require(by, "create", Agreement)
    agreement = Agreement(programme=programme, created_by=by)
    _apply(agreement, title=title, reference=reference, start_date=start_date, end_date=end_date, status=status)
    errors = _check_fields(agreement)
    terms, party_errors = _party_terms(programme, parties)
    if party_errors:
        errors["parties"] = party_errors
    errors.update(_check_document(document))
    if errors:
        raise ValidationError(errors)
    agreement._history_user = by  # type: ignore[attr-defined]
    agreement.save()
    _save_parties(agreement, terms)
    if document is not None:
        _store_document(agreement, document)
        agreement.save(update_fields=["document", "document_sha256"])
    return agreement


def _locked_open(agreement: Agreement) -> Agreement:
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("programme__lead_university")
        .get(pk=agreement.pk)
    )
    if locked.status == AgreementStatus.TERMINATED:
        raise ValidationError(_("This agreement was terminated; it is kept as it was and cannot be changed."))
    return locked


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    by: User,
    title: str | None = None,
    reference: str | None = None,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    status: str | None = None,
    parties: Iterable[PartyTerms] | None = None,
) -> Agreement:
    """Change an agreement's terms (office; a term left ``None`` keeps its value), and its parties when
    given. A terminated one stays as it was."""
    access.require(by, "change", agreement)
    agreement = _locked_open(agreement)
    _apply(agreement, title=title, reference=reference, start_date=start_date, end_date=end_date, status=status)
    errors = _check_fields(agreement)
    terms: list[PartyTerms] = []
    if parties is not None:
        current = frozenset(agreement.parties.values_list("partner_id", flat=True))
        terms, party_errors = _party_terms(agreement.programme, parties, already=current)
        if party_errors:
            errors["parties"] = party_errors
    if errors:
        raise ValidationError(errors)
    agreement._history_user = by  # type: ignore[attr-defined]
    agreement.save()
    if parties is not None:
        agreement.parties.all().delete()
        _save_parties(agreement, terms)
    return agreement


@transaction.atomic
def agreement_attach_document(*, agreement: Agreement, by: User, upload: UploadedFile) -> Agreement:
    """Attach the signed agreement (office): a PDF by content, at most 10 MB; its SHA-256 is kept, so a
    file can later be shown to be the one that was signed."""
    access.require(by, "change", agreement)
    validate_pdf(upload, field="document", max_bytes=MAX_DOCUMENT_BYTES)
    agreement = _locked_open(agreement)
    _store_document(agreement, upload)
    agreement._history_user = by  # type: ignore[attr-defined]
    agreement.save(update_fields=["document", "document_sha256"])
    return agreement


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, by: User, reason: str) -> Agreement:
    """End an agreement early (office), with a reason kept in its history. It is never deleted, and new
    placements at its partners need another agreement from now on."""
    access.require(by, "change", agreement)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the agreement is terminated.")]})
    if len(reason) > MAX_TERMINATION_REASON:
        raise ValidationError(
            {"reason": [_("Keep the reason to %(max)s characters.") % {"max": MAX_TERMINATION_REASON}]}
        )
    agreement = _locked_open(agreement)
    agreement.status = AgreementStatus.TERMINATED
    agreement._history_user = by  # type: ignore[attr-defined]
    agreement._change_reason = reason  # type: ignore[attr-defined]
    agreement.save(update_fields=["status"])
    return agreement
