"""Background work of the projects app: none of its own yet. Its follow-up work (telling people about join
requests, answers and verified outputs) goes through ``core.services.notifications.notify``, whose e-mails
are sent after commit by ``core.tasks``."""
