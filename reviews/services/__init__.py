"""Every write of internal supervision, by topic (docs/decisions/0012-services-per-topic.md): ``reviews``
(submitting, re-exported here), ``rounds`` (forms, opening and closing rounds), ``schedules`` (schedules and
terms), ``concerns``, ``meetings``, ``reminders``."""

from reviews.services.reviews import review_submit

__all__ = ["review_submit"]
