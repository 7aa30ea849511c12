"""Who may see and do what with review rounds, mutual reviews, concerns and replies, supervision meetings: the
rules, registered with the engine (``partners.access``). A model without registered rules is refused, never
open."""
