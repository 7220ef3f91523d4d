"""Composition of the nlp steps and all IO: readers, store, bundle writers."""

__all__: list[str] = []
