"""What the suite checks: what a requirement is (definition.py), and every requirement by its stable id with
the sentences it quotes (catalogue.py)."""
