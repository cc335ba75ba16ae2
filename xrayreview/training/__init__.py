"""Screener training: libraries of known scans, TIP session plans, scoring, adaptive difficulty."""
