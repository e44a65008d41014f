"""Pose estimation: backends, runner localisation and crop, caching."""
