"""The camera's picture on screen, with a found code outlined.

`mirror` shows the picture as a mirror would (customers facing the camera move the code the
way they expect; outlines follow), flipped through texture coordinates, not pixels. `guide`
draws the corners of the square a customer should hold the code in. A Clock tick at `fps` takes the camera's latest frame (`camera.preview()`, which only hands
over a reference: no waiting on the camera) and blits it into a texture that is reused while
the frame size stays the same. Frames are shown whole, letterboxed to the widget. Screens call
start() when they show the preview and stop() when they leave.
"""
from __future__ import annotations

import logging
from typing import Any, Protocol

from kivy.clock import Clock
from kivy.graphics import Color, Line, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty
from kivy.uix.widget import Widget

log = logging.getLogger(__name__)


class PreviewSource(Protocol):
    def preview(self) -> Any:  # PreviewFrame | None (drivers.barcode.camera)
        ...


class CameraPreview(Widget):
    fps = NumericProperty(15)
    outline_color = ColorProperty([0.15, 0.85, 0.35, 1])
    outline_width = NumericProperty(3)
    mirror = BooleanProperty(False)
    guide = BooleanProperty(False)
    guide_color = ColorProperty([1, 1, 1, 1])
    guide_fraction = 0.62  # the guide square's side, of the picture's shorter side

    def __init__(self, camera: PreviewSource | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.camera = camera
        self.frames_shown = 0
        self._tick_event = None
        self._texture: Texture | None = None
        self._seq = -1
        self._frame_size = (0, 0)
        self._outlines: tuple = ()
        with self.canvas:
            Color(1, 1, 1, 1)
            self._picture = Rectangle(texture=None, size=(0, 0))
            self._guide_color = Color(*self.guide_color)
            self._guide = [Line(points=[], width=4) for _ in range(4)]
            self._line_color = Color(*self.outline_color)
        self._lines: list[Line] = []
        self.bind(pos=self._layout, size=self._layout, outline_color=self._recolour,
                  guide_color=self._recolour, mirror=self._mirrored, guide=self._layout)

    # -- public -------------------------------------------------------------------------------
    def start(self) -> None:
        if self._tick_event is None:
            self._tick_event = Clock.schedule_interval(self.refresh, 1.0 / self.fps)
            self.refresh()

    def stop(self) -> None:
        if self._tick_event is not None:
            self._tick_event.cancel()
            self._tick_event = None

    @property
    def running(self) -> bool:
        return self._tick_event is not None

    def refresh(self, _dt: float = 0.0) -> None:
        """Show the camera's latest frame, if it is a new one, and its outlines."""
        frame = self.camera.preview() if self.camera is not None else None
        if frame is None:
            return
        if frame.seq != self._seq:
            self._seq = frame.seq
            self._show(frame.image)
        if frame.outlines != self._outlines:
            self._outlines = frame.outlines
            self._layout()

    # -- drawing ------------------------------------------------------------------------------
    def _show(self, image: Any) -> None:
        height, width = image.shape[:2]
        texture = self._texture
        if texture is None or (width, height) != self._frame_size:
            texture = Texture.create(size=(width, height), colorfmt="bgr")
            texture.flip_vertical()  # camera rows run top-down, textures bottom-up
            self._texture = texture
            self._frame_size = (width, height)
            self._picture.texture = texture
            self._mirrored()
        texture.blit_buffer(memoryview(image).cast("B"), colorfmt="bgr", bufferfmt="ubyte")
        self.frames_shown += 1
        self.canvas.ask_update()

    def _fit(self) -> tuple[float, float, float]:
        """(scale, x, y): where the frame goes inside the widget, aspect ratio kept."""
        fw, fh = self._frame_size
        if not fw or not fh:
            return 0.0, self.x, self.y
        scale = min(self.width / fw, self.height / fh)
        return scale, self.x + (self.width - fw * scale) / 2, self.y + (self.height - fh * scale) / 2

    def _mirrored(self, *_args: Any) -> None:
        texture = self._texture
        if texture is not None:
            coords = list(texture.tex_coords)
            if self.mirror:  # swap left and right: u -> (u0 + u1) - u
                us = coords[0::2]
                coords[0::2] = [min(us) + max(us) - u for u in us]
            self._picture.tex_coords = coords
        self._layout()

    def _layout(self, *_args: Any) -> None:
        scale, x, y = self._fit()
        fw, fh = self._frame_size
        self._picture.pos = (x, y)
        self._picture.size = (fw * scale, fh * scale)
        self._draw_guide(x, y, fw * scale, fh * scale)
        for line in self._lines:
            self.canvas.remove(line)
        self._lines = []
        for outline in self._outlines:
            points = []
            for px, py in outline:
                px = fw - px if self.mirror else px
                points += [x + px * scale, y + (fh - py) * scale]
            line = Line(points=points, close=True, width=self.outline_width)
            self.canvas.add(line)
            self._lines.append(line)

    def _draw_guide(self, x: float, y: float, width: float, height: float) -> None:
        """Four corner brackets of a centred square (none without a picture or a guide)."""
        side = min(width, height) * self.guide_fraction
        arm = side * 0.22
        left, bottom = x + (width - side) / 2, y + (height - side) / 2
        right, top = left + side, bottom + side
        corners = ((left, bottom, 1, 1), (right, bottom, -1, 1), (right, top, -1, -1),
                   (left, top, 1, -1))
        for line, (cx, cy, dx, dy) in zip(self._guide, corners):
            line.points = ([cx, cy + dy * arm, cx, cy, cx + dx * arm, cy]
                           if self.guide and side > 0 else [])

    def _recolour(self, *_args: Any) -> None:
        self._line_color.rgba = self.outline_color
        self._guide_color.rgba = self.guide_color
