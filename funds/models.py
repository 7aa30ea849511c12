"""Funds: training funds, allocations, expenditures, authority limits and flags."""
