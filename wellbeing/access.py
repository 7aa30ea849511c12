"""Who may see and do what with check-ins, counselling, appointments and encrypted notes: the rules, registered
with the engine (``partners.access``). A model without registered rules is refused, never open."""
