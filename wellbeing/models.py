"""Models of wellbeing; this app is filled by a later issue."""
