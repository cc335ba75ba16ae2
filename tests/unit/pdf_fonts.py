"""The Unicode font the PDF tests embed where this machine has it (Debian's fonts-dejavu-core)."""

from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
