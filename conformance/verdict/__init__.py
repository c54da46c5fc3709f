"""How the suite decides: the judge reads one response against the contract (judge.py), a test's findings
against requirement ids (findings.py), and every test's record becomes a verdict per requirement and for the
run (results.py)."""
