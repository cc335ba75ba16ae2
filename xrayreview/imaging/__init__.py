"""Display pipeline: from a Scan's raw numbers to what the officer sees (numpy/OpenCV only).

``display`` is the entry point (Renderer, DisplaySettings, the tool table, measure);
``standard.render_standard`` is the full-size default view the detector sees.
"""
