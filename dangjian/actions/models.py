"""Models of the actions app."""
