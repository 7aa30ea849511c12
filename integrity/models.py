"""Academic integrity: submissions, originality checks and the violations register."""
