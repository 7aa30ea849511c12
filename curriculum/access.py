"""Who may see and do what with courses, offerings, enrolments, grades and teachers' qualifications: the rules,
registered with the engine (``partners.access``). A model without registered rules is refused, never open."""
