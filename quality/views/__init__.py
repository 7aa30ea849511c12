"""The quality pages: the office's reports (``reports``), the public version (``public``), and the
comparison and live dashboard (``dashboard``). Each module keeps its own ``urlpatterns``."""
