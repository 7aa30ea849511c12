"""Who may see and do what with submissions, originality checks and the violations register: the rules, registered
with the engine (``partners.access``). A model without registered rules is refused, never open."""
