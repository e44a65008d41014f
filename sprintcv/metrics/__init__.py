"""Measurements computed from cleaned trajectories and the event table (pure numpy)."""
