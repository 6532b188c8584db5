"""Benchmarks: figures for a large synthetic city, printed, never asserted."""
