"""Check-ins, counselling and confidential notes: the most sensitive records in Tandem."""
