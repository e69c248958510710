"""The rules of CyberHub: plain functions over a SQLModel session. No Reflex, no FastAPI."""
