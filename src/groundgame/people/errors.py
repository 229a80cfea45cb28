"""Stable error codes of the people app."""

PERSON_NOT_FOUND = "person_not_found"
PERSON_OUT_OF_SCOPE = "person_out_of_scope"
PERSON_INVALID = "person_invalid"
