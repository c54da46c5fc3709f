"""How the suite talks to a target: the one HTTP edge (transport.py), every reply read within bounds
(bounds.py), each request kept as evidence (exchange.py) with secrets redacted (redact.py), and how hard the
run presses the target (pace.py, pipeline.py)."""
