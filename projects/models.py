"""Projects: research and entrepreneurial projects, outputs and points."""
