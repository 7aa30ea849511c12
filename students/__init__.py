"""Students, training plans, placements, milestones and practice hours."""
