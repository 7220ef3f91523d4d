"""Benchmarks and quality harnesses."""
