"""Thick steel at kV energies: the low channel runs out of photons before the high one does."""

import numpy as np

from xrayreview.imaging.material import METAL, material_at
from xrayreview.imaging.standard import render_standard
from xrayreview.physics.attenuation import element_mu
from xrayreview.scan import Scan, ScanMetadata


def _steel(thickness_cm: float) -> Scan:
    mu_high, mu_low = element_mu(26, 140.0), element_mu(26, 80.0)
    high = np.full((2, 2), 65535 * np.exp(-mu_high * 7.87 * thickness_cm))
    low = np.full((2, 2), 65535 * np.exp(-mu_low * 7.87 * thickness_cm))
    return Scan(high=np.round(high).astype(np.uint16), low=np.round(low).astype(np.uint16),
                full_scale=65535, metadata=ScanMetadata(energy_high_kev=140, energy_low_kev=80))


def test_starved_low_channel_reads_as_metal_not_mixed():
    # 11 mm: the high channel still sees through (~1 %), the low one counts nothing, so the raw
    # ratio would fall to the mixed band.
    scan = _steel(1.1)
    assert scan.low[0, 0] == 0 < scan.high[0, 0]
    assert material_at(scan, 0, 0) == METAL
    r, g, b = render_standard(scan)[0, 0].astype(int)
    assert b > g and b > r
