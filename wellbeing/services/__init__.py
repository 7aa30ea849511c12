"""Every write of the psychological service, one module per topic (docs/decisions/0012-services-per-topic.md):
``checkins``, ``cases`` (requests, notes, consent, sharing, referral, closing), ``appointments`` (slots,
booking), ``records`` (the access log, anonymous events, the urgent notice), ``retention``, ``hotlines``.
"""
