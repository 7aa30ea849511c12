"""Every write about programmes, one module per topic (docs/decisions/0012-services-per-topic.md).

``agreements`` (cooperation agreements and their parties) and ``setup`` (a programme, its objectives,
requirements, activity categories, cohorts and participating partners; copying it for next year) are
re-exported here.
"""

from programmes.services.agreements import (
    MAX_DOCUMENT_BYTES,
    MAX_TERMINATION_REASON,
    PartyTerms,
    agreement_attach_document,
    agreement_create,
    agreement_terminate,
    agreement_update,
)
from programmes.services.setup import (
    ProgrammeFields,
    Requirements,
    activity_category_create,
    activity_category_update,
    cohort_create,
    cohort_update,
    objective_create,
    objective_update,
    participation_create,
    participation_update,
    programme_copy,
    programme_create,
    programme_requirements,
    programme_requirements_set,
    programme_update,
    requirements_version_current,
)

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_TERMINATION_REASON",
    "PartyTerms",
    "ProgrammeFields",
    "Requirements",
    "activity_category_create",
    "activity_category_update",
    "agreement_attach_document",
    "agreement_create",
    "agreement_terminate",
    "agreement_update",
    "cohort_create",
    "cohort_update",
    "objective_create",
    "objective_update",
    "participation_create",
    "participation_update",
    "programme_copy",
    "programme_create",
    "programme_requirements",
    "programme_requirements_set",
    "programme_update",
    "requirements_version_current",
]
