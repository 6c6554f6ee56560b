"""The fault run of issue 9: `python -m faults` (make faults); see run.py."""
