"""The insights app's data."""
