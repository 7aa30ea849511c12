"""Settings split by environment: ``local`` (default for manage.py), ``test`` and ``production``."""
