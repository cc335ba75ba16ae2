import os

# Tests never touch the officer's real data folder, and Qt never needs a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
