"""Voice guidance: what the kiosk says on each step, in the customer's language.

`prompts` turns a session State into the text to speak (from the same catalogs as the screen),
`spoken` reads amounts and numbers aloud, `synth` makes and caches the audio offline with
espeak-ng, and `guide` follows the session and hands finished audio to a player (the Kivy one
lives in screens/voice_player.py). Nothing here imports Kivy.
"""
