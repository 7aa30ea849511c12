"""Programmes, objectives, requirements, cohorts and agreements (filled by the training-plan issue)."""
