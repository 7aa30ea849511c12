"""Deliberately empty: no wellbeing model is registered in the admin, so no superuser reads a record there
(``tests/wellbeing/test_confidentiality.py`` holds it to that). Hotlines are kept on their own page by the
office; counsellors' services are set up in the demo or a data migration of the deployment."""
