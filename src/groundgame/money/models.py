"""The money app's data."""
