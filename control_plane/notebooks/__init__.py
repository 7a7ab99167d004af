"""Notebooks: nbformat documents with versions and shares, real IPython kernels, runs."""
