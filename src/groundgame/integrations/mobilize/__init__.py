"""Mobilize (formerly MobilizeAmerica): events, timeslots, people and attendances."""
