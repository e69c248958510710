"""Dramatiq workers: the broker factory, middleware, the model loader and thin actors."""
