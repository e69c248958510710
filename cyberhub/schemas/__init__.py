"""Typed public faces of the domain entities (XPublic / XCreate / XUpdate): what services return and take, what the API declares, what page states hold."""
