"""Who may see and do what with research and entrepreneurial projects, outputs and points: the rules, registered
with the engine (``partners.access``). A model without registered rules is refused, never open."""
