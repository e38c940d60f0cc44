"""ED Sentinel's engine: inference client, scores, findings and the drafting pipeline.

Nothing here imports Qt; the desktop panel is one client of this package among others
(the `sentinel` command line, the tests, the benchmarks).
"""

__version__ = "0.1.0"
