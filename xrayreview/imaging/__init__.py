"""Display pipeline: from a Scan's raw numbers to what the officer sees (numpy/OpenCV only)."""
