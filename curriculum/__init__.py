"""Curriculum (empty so far): courses, curriculum plans, offerings, enrolments and teachers'
qualifications come with the curriculum issue.
"""
