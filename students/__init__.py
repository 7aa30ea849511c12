"""Students, training plans (versions, workflow), placements and milestones; practice hours live in ``practice/``."""
