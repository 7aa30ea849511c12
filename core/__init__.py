"""Shared pieces: scoped base views and viewsets, the API error format, health check, start pages."""
