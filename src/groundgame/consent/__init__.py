"""Consent: who may be contacted on which channel about which topic, and the history of it."""
