"""Dual-energy pseudo-colour, stripping and the standard rendering, from the physics."""

from dataclasses import replace

import numpy as np
import pytest

from xrayreview.imaging.colours import SATURATION_ATTENUATION, class_colour
from xrayreview.imaging.display import DEFAULT, DisplaySettings, Renderer
from xrayreview.imaging.dual import STRIP_FADE
from xrayreview.imaging.material import MAX_ATTENUATION, attenuations, class_position, material_at
from xrayreview.imaging.standard import render_standard
from xrayreview.imaging.tone import BRIGHTNESS_GAMMA
from xrayreview.physics.attenuation import element_mu
from xrayreview.scan import Scan, ScanMetadata

# (effective Z, density g/cm³) and thicknesses in cm that a scanner of each kind sees through.
MATERIALS = {"water": (7.42, 1.0), "aluminium": (13.0, 2.70), "iron": (26.0, 7.87)}
THICKNESS_CM = {
    (140.0, 80.0): {"water": 10.0, "aluminium": 1.5, "iron": 0.3},
    (6000.0, 4000.0): {"water": 40.0, "aluminium": 15.0, "iron": 6.0},
}
AIR = FULL = 65535  # air is full transmission


def _transmission(material, cm, kev):
    z, rho = MATERIALS[material]
    return float(np.exp(-element_mu(z, kev) * rho * cm))


def _phantom(energies):
    """One row: air, water, aluminium, iron, impenetrable."""
    high_kev, low_kev = energies
    high, low = [AIR], [AIR]
    for name, cm in THICKNESS_CM[energies].items():
        high.append(round(AIR * _transmission(name, cm, high_kev)))
        low.append(round(AIR * _transmission(name, cm, low_kev)))
    high.append(0)
    low.append(0)
    meta = ScanMetadata(energy_high_kev=high_kev, energy_low_kev=low_kev)
    return Scan(
        high=np.array([high], np.uint16), low=np.array([low], np.uint16), full_scale=FULL, metadata=meta
    )


def _render(scan, settings=DEFAULT):
    return (
        Renderer(scan)
        .render(settings, (0, 0, scan.width, scan.height), (scan.width, scan.height))[0]
        .astype(int)
    )


@pytest.mark.parametrize("energies", list(THICKNESS_CM))
def test_water_is_orange_aluminium_green_iron_blue(energies):
    scan = _phantom(energies)
    air, water, aluminium, iron, impenetrable = _render(scan)
    r, g, b = water
    assert r > g > b, f"water should look orange, got {water}"
    r, g, b = aluminium
    assert g > r and g > b, f"aluminium should look green, got {aluminium}"
    r, g, b = iron
    assert b > r and b > g, f"iron should look blue, got {iron}"
    assert min(air) >= 240 and max(impenetrable) == 0
    assert [material_at(scan, x, 0) for x in range(1, 5)] == ["organic", "mixed", "metal", "impenetrable"]


@pytest.mark.parametrize("energies", list(THICKNESS_CM))
def test_organic_only_fades_metals_and_keeps_organic(energies):
    scan = _phantom(energies)
    plain = _render(scan)
    organic = _render(scan, DisplaySettings(strip="organic"))
    assert np.array_equal(organic[1], plain[1])  # water as it was
    for x in (2, 3):  # aluminium, iron: near white
        assert organic[x].min() >= round(255 * (1 - STRIP_FADE)) - 1
    assert np.array_equal(organic[[0, 4]], plain[[0, 4]])  # air and the impenetrable stay


@pytest.mark.parametrize("energies", list(THICKNESS_CM))
def test_inorganic_only_fades_organic(energies):
    scan = _phantom(energies)
    plain = _render(scan)
    inorganic = _render(scan, DisplaySettings(strip="inorganic"))
    assert inorganic[1].min() >= round(255 * (1 - STRIP_FADE)) - 1
    assert np.array_equal(inorganic[2:], plain[2:])


def test_strip_in_grey_mode_fades_too():
    scan = _phantom((140.0, 80.0))
    grey = _render(scan, DisplaySettings(mode="grey"))
    stripped = _render(scan, DisplaySettings(mode="grey", strip="organic"))
    assert stripped[3].min() > grey[3].max()
    assert np.array_equal(stripped[1], grey[1])


def test_grey_mode_on_dual_energy_shows_brightness_only():
    rgb = _render(_phantom((6000.0, 4000.0)), DisplaySettings(mode="grey"))
    assert np.all(rgb[:, 0] == rgb[:, 1]) and np.all(rgb[:, 1] == rgb[:, 2])


def test_inverse_keeps_material_hue():
    scan = _phantom((140.0, 80.0))
    inverted = _render(scan, replace(DEFAULT, inverse=True))
    r, g, b = inverted[3]
    assert b > r and b > g  # iron still blue, only brighter


def _float_standard(scan):
    """The standard rendering computed in floating point, pixel by pixel, from material.py."""
    a_high, _ = attenuations(scan)
    brightness = np.exp(-a_high * BRIGHTNESS_GAMMA)
    brightness[a_high > MAX_ATTENUATION] = 0.0
    saturation = np.clip(a_high / SATURATION_ATTENUATION, 0.0, 1.0)[..., None]
    colour = 1.0 - saturation * (1.0 - class_colour(class_position(scan)))
    return np.round(colour * brightness[..., None] * 255.0)


@pytest.mark.parametrize("energies", list(THICKNESS_CM))
def test_standard_rendering_is_the_default_view_and_close_to_the_float_formula(energies):
    rng = np.random.default_rng(5)
    high_kev, low_kev = energies
    z = rng.choice([6.0, 7.42, 13.0, 20.0, 26.0, 29.0], (40, 50))
    mass = rng.uniform(0.0, 60.0 if high_kev > 1000 else 6.0, (40, 50))
    mu_h = np.vectorize(lambda v: element_mu(v, high_kev))(z)
    mu_l = np.vectorize(lambda v: element_mu(v, low_kev))(z)
    scan = Scan(
        high=np.round(AIR * np.exp(-mu_h * mass)).astype(np.uint16),
        low=np.round(AIR * np.exp(-mu_l * mass)).astype(np.uint16),
        full_scale=FULL,
        metadata=ScanMetadata(energy_high_kev=high_kev, energy_low_kev=low_kev),
    )
    standard = render_standard(scan)
    assert np.array_equal(standard, Renderer(scan).render(DEFAULT, (0, 0, 50, 40), (50, 40)))
    # The lookup quantises attenuation and material position; it stays within a few levels.
    assert np.abs(standard.astype(int) - _float_standard(scan)).max() <= 3


def test_standard_rendering_of_single_energy_is_the_grey_view():
    rng = np.random.default_rng(6)
    scan = Scan(high=rng.integers(0, 65536, (30, 20)).astype(np.uint16), full_scale=FULL)
    grey = Renderer(scan).render(DisplaySettings(mode="grey"), (0, 0, 20, 30), (20, 30))
    assert np.array_equal(render_standard(scan), grey)


def test_zoomed_out_dual_energy_uses_the_same_colours():
    scan = _phantom((140.0, 80.0))
    wide = Scan(
        high=np.repeat(np.repeat(scan.high, 4, axis=0), 4, axis=1),
        low=np.repeat(np.repeat(scan.low, 4, axis=0), 4, axis=1),
        full_scale=FULL,
        metadata=scan.metadata,
    )
    zoomed_out = Renderer(wide).render(DEFAULT, (0, 0, wide.width, wide.height), (scan.width, scan.height))
    assert np.array_equal(zoomed_out[0].astype(int), _render(scan))


def test_a_renderer_reused_across_tool_changes_matches_a_fresh_one():
    rng = np.random.default_rng(8)
    high = rng.integers(2000, 65536, (60, 80)).astype(np.uint16)
    scan = Scan(high=high, low=(high * 0.7).astype(np.uint16), full_scale=FULL)
    reused = Renderer(scan)
    for settings in (
        DEFAULT,
        replace(DEFAULT, window_low=0.2),
        DisplaySettings(strip="organic"),
        DisplaySettings(strip="organic", gamma=2.0),
        DisplaySettings(mode="grey", strip="inorganic"),
        DEFAULT,
    ):
        for region, size in (((0, 0, 80, 60), (80, 60)), ((10, 5, 50, 45), (20, 20))):
            fresh = Renderer(scan).render(settings, region, size)
            assert np.array_equal(reused.render(settings, region, size), fresh)
