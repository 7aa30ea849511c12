"""Every write of academic integrity, one module per topic (docs/decisions/0012-services-per-topic.md):
``submissions`` (submissions, the reference corpus, decisions on reports), ``checks`` (the originality check,
its index and frozen report), ``cases`` (the violations register)."""
