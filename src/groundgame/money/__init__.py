"""Donations, recurring plans, appeals and their return, budget, commitments and spend, the
cash-flow forecast and FEC reports."""
