"""The repository root: `pytest` here runs the conformance suite (`testpaths`).

The suite's pytest plugin (`conformance.plugin`) is registered through the `pytest11` entry point
rather than from this file, so that its options (`--reports-dir DIR`, `--profile nightly`, ...) are
known before pytest reads the command line's paths, in pytest-xdist workers too.
"""
