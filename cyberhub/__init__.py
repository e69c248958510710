"""Ongoza CyberHub."""
