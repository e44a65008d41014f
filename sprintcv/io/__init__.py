"""Input/output: video frames with timestamps, and result files."""
