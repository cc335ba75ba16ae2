"""Sub-commands of `xrayreview`; each module exposes ``register(subparsers)``."""
