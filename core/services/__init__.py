"""Core's writes, one module per topic (docs/decisions/0012-services-per-topic.md): ``notifications``."""
