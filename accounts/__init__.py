"""People: the custom user model and platform roles (office, inspector, counsellor)."""
