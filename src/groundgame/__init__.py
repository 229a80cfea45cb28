"""groundgame: the campaign operations platform."""

__version__ = "0.1.0"
