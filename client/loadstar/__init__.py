"""The Loadstar platform from Python (a notebook, a script): datasets as polars frames,
explore, feature plans, training jobs, the registry, deployments, tracked runs.

    import loadstar
    ls = loadstar.connect()            # in a notebook: LOADSTAR_URL and LOADSTAR_TOKEN are set
    frame = ls.read_dataset("ds-...")
"""

from loadstar.client import Client, LoadstarError, connect
from loadstar.tracking import Run

__all__ = ["Client", "LoadstarError", "Run", "connect"]
