"""Models of the dues app."""
