"""Every tool on the real scans kept beside the repository (third-party files, never committed)."""

import numpy as np
import pytest

from xrayreview.imaging.display import DEFAULT, TOOLS, Renderer, apply_tool
from xrayreview.imaging.standard import render_standard
from xrayreview.paths import REPO_ROOT
from xrayreview.scan import ScanError, load_scan

SHARED = REPO_ROOT.parent / "shared"
FILES = sorted(
    [p for p in (SHARED / "real-scans").glob("*") if p.suffix.lower() in (".png", ".jpg")]
    + [p for p in (SHARED / "dicos").glob("*DX*.dcs") if "tdr" not in p.stem.lower()]
)


def _scan(path):
    try:
        return load_scan(path)
    except ScanError as error:  # a DICOS file holding only a threat report has no image
        pytest.skip(f"{path.name}: {error}")


@pytest.mark.skipif(
    not FILES, reason=f"no real scans in {SHARED} (third-party files are not in the repository)"
)
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_tool_renders_real_scans(path):
    scan = _scan(path)
    renderer = Renderer(scan)
    full = (0, 0, scan.width, scan.height)
    assert np.array_equal(
        renderer.render(
            DEFAULT if scan.colour is not None else apply_tool(DEFAULT, "grey"),
            full,
            (scan.width, scan.height),
        ),
        render_standard(scan),
    )
    settings = DEFAULT
    for tool in TOOLS:
        settings = apply_tool(settings, tool.name)
        fit = renderer.render(settings, full, (max(scan.width // 3, 1), max(scan.height // 3, 1)))
        zoomed = renderer.render(settings, (0, 0, min(40, scan.width), min(30, scan.height)), (320, 240))
        assert fit.shape == (max(scan.height // 3, 1), max(scan.width // 3, 1), 3)
        assert zoomed.shape == (240, 320, 3)
    info = renderer.pixel_info(scan.width // 2, scan.height // 2)
    assert info is not None and len(info.raw) >= 1
