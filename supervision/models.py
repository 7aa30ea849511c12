"""Models of supervision; this app is filled by a later issue."""
