"""Supervision factories: checklists with items. Inspections in tests go through
``supervision.services`` (planning checks conflicts; starting grants access), so there is no factory
that would skip those rules."""

import factory

from supervision.models import Aspect, ChecklistItem, ChecklistTemplate, TargetKind


class ChecklistTemplateFactory(factory.django.DjangoModelFactory[ChecklistTemplate]):
    class Meta:
        model = ChecklistTemplate
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Checklist {n}")
    target_kind = TargetKind.PARTNER
    is_active = True

    @factory.post_generation
    def with_items(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """One item per aspect, unless ``with_items=False``."""
        if not create or extracted is False:
            return
        for order, aspect in enumerate(Aspect.values):
            ChecklistItemFactory.create(template=self, aspect=aspect, order=order)


class ChecklistItemFactory(factory.django.DjangoModelFactory[ChecklistItem]):
    class Meta:
        model = ChecklistItem

    template = factory.SubFactory(ChecklistTemplateFactory, with_items=False)
    aspect = Aspect.QUALITY
    code = factory.Sequence(lambda n: f"Q{n}")
    text = factory.Sequence(lambda n: f"Is requirement {n} met?")
    order = 0
