"""The Qt station: viewer, operator tools, panels, workers and the main window that wires them."""
