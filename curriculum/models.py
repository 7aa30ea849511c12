"""Models of curriculum; this app is filled by a later issue."""
