"""Models of the integrity app."""
