"""The words a decision is made of: kept as data so the UI, the exports and the checks agree."""

from __future__ import annotations

# Key -> what the officer reads. Keys are stored in the log; never rename one, only add.
DECISIONS: dict[str, str] = {
    "clear": "Clear",
    "refer": "Refer to physical inspection",
    "rescan": "Rescan / unclear",
}

REASONS: dict[str, str] = {
    "firearm": "Suspected firearm",
    "ied_component": "Suspected IED component",
    "manifest": "Anomaly vs manifest",
    "quality": "Image quality",
    "concealment": "Dense area / possible concealment",
    "contraband": "Other contraband (drugs, currency …)",
    "other": "Other (see note)",
}

# The same keys as the detector's categories (xrayreview.detection.types), so its marks log as-is.
MARK_CATEGORIES: dict[str, str] = {
    "firearm": "Firearm or firearm part",
    "ied_component": "IED component",
    "other": "Other threat / anomaly",
}

VERDICTS = ("confirmed", "dismissed")

REVIEW_VERDICTS: dict[str, str] = {
    "agree": "Supervisor agrees",
    "disagree": "Supervisor disagrees",
    "follow_up": "Needs follow-up",
}
