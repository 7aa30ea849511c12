"""External supervision: inspections, checklists, findings, corrective actions, the spot-inspection draw,
reports, publication and partner scorecards. Internal reviews, funds and integrity get apps of their own.
"""
