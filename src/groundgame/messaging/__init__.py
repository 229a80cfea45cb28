"""Messaging: mailings by email and text to a universe, the outbox of sends, delivery
backends, delivery events, frequency caps and list health."""
