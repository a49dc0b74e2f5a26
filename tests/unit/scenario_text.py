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


#: one protest of 15 in Hangzhou on day 0 (its daily chance is 1, then 0), one bystander each,
#: no photos forwarded (a ``str.format`` template: braces doubled)
ONE_PROTEST = """
protests: {{cities: [Hangzhou], rate_per_million: 1000, size_median: 15, size_sigma: 0.0,
            bystanders_per_participant: 1, forward_share: 0.0, deletion: 0.0}}
schedule:
  - {{at: 1, set: protests.rate_per_million, to: 0}}
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
