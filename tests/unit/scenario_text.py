"""YAML pieces shared by tests that start from china-2022 but want only their own systems."""

#: Drops the preset's systems and its joint-punishment link (``null`` removes a mapping).
WITHOUT_PRESET_SYSTEMS = """\
joint_punishment: []
systems:
  court-list: null
  rongcheng: null
  hangzhou: null
  xiamen: null
  fuzhou: null
"""


def bare(name: str, days: int, persons: int, seed: int, scale: float) -> str:
    """china-2022's population and processes without its systems, no warm-up: the ground on
    which a test adds its own protests, measures or systems."""
    return (f"""
extends: china-2022
name: {name}
days: {days}
warmup_days: 0
population: {{persons: {persons}, seed: {seed}, block_size: 4096, scale: {scale}}}
""" + WITHOUT_PRESET_SYSTEMS)
