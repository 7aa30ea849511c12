"""Courses, links between them, curriculum plans, offerings, enrolments and teachers' qualifications."""
