"""xrayreview: an X-ray review station for customs scanning officers."""

__version__ = "0.1.0"
