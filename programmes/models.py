"""Models of programmes; this app is filled by a later issue."""
