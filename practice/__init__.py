"""Practice hours: entries logged at a placement, their sign-off, the rules they obey, and progress.

Kept out of ``students`` (where architecture.md first placed it) because it is the busiest part of
Tandem and has its own rules, tasks, API and benchmark; see docs/decisions/0006-practice-app.md.
"""
