"""Programmes, their objectives and requirements, cohorts, partner participations and agreements."""
