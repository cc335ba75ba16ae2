"""Reading scanner files into Scan objects."""

from .errors import ScanError
from .loader import load_scan
from .model import Scan, ScanMetadata

__all__ = ["Scan", "ScanError", "ScanMetadata", "load_scan"]
