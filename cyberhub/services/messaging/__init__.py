"""Telling people things: in-app notifications and the outgoing mail queue."""
