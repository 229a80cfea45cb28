"""Messaging: mailings by email and text to a universe, the outbox of sends, delivery
backends, delivery events and list health (the contact caps are consent's)."""
