"""Scoring paper pre/post tests: a SQLite store of raw marks, importers, statistics and reports.

Scores are never stored: they are derived from the raw marks (as written on
the paper) and the keys of the form variants, so fixing a key rescores all.
"""
