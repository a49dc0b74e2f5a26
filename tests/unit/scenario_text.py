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
