"""Who may see and do what with training funds, allocations, expenditures, authority limits and flags: the rules,
registered with the engine (``partners.access``). A model without registered rules is refused, never open."""
