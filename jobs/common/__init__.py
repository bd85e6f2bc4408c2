"""Pieces every step shares: parameter validation, SQL text handling, retries, output files, service adapters."""
