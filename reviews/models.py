"""Internal supervision: review rounds, mutual reviews, concerns and replies, supervision meetings."""
