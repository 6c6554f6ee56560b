"""Benchmarks: `make bench`. Figures are printed, never asserted."""
