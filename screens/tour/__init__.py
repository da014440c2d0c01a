"""`kiosk tour`: the customer journeys walked on the real session, emulated devices and the
sandbox bank (harness.py, journeys.py), every screen they reach rendered to PNG and checked for
layout faults (runner.py, layout.py). samples.py keeps hand-made states for the UI bench."""
