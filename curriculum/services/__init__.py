"""Every write about the curriculum, one module per topic (docs/decisions/0012-services-per-topic.md):
``courses`` (catalogue, links, coverage, curricula), ``teachers`` (profiles, training, experience,
assignments and the qualification rule), ``offerings`` (offerings, enrolments), ``grades`` (entry,
submission, corrections, bulk) and ``grade_imports`` (a file's preview and its all-or-nothing import)."""
