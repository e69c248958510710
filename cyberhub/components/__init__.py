"""Reusable UI: the app shell, states (empty / loading / error), cards."""
