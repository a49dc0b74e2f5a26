"""The explorer: a local web app (Panel) to choose a scenario, move its assumptions, run it
in the background, see the report's sections and figures, compare two runs and download one.

Its parts that need no browser: the sliders (:mod:`scorelab.app.knobs`), the controls made
into a scenario (:mod:`scorelab.app.choose`), runs in worker processes
(:mod:`scorelab.app.jobs`) and a session's runs and downloads (:mod:`scorelab.app.runs`).
"""
