"""A QR code drawn from text (the pre-filled counter form the counter staff scan)."""
from __future__ import annotations

import qrcode
from kivy.graphics.texture import Texture
from kivy.properties import StringProperty
from kivy.uix.image import Image


def qr_texture(text: str) -> Texture:
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    texture = Texture.create(size=image.size, colorfmt="rgb")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    texture.blit_buffer(image.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    texture.flip_vertical()  # PIL rows run top-down, Kivy textures bottom-up
    return texture


class QrImage(Image):
    data = StringProperty("")

    def on_data(self, _widget, text: str) -> None:
        self.texture = qr_texture(text) if text else None
