"""Reflex states: the small shared SessionState and one substate per page or feature."""
