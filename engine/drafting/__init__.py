"""Drafting: from a case's words to a structured ED history draft with its provenance."""
