"""Wellbeing (empty so far): check-ins, counselling and confidential notes come with the wellbeing issue."""
