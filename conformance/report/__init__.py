"""What a run writes for people and machines: summary.json, junit.xml and conformance.html."""
