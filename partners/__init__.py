"""Partners, their sites and memberships, and ``access``: the one permission policy of Tandem."""
