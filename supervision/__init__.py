"""Reviews, inspections, findings, corrective actions, funds, integrity checks and reports."""
