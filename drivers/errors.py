"""One root exception for everything a device can do wrong, split into families.

- TransportError: the link to the device failed (port gone, pcscd stopped, timeout).
- DeviceReportedError: the device answered and said it cannot do it (paper out, SAM failure).
- CardError: the card or document in the device is the problem (status word, blocked, expired).

Messages name the device and the port and say what the person should do.
"""


class DeviceError(Exception):
    """Root of every driver error."""

    def __init__(self, message: str, *, device: str = "", port: str = "", remedy: str = ""):
        self.device = device
        self.port = port
        self.remedy = remedy
        where = f"{device} on {port}" if device and port else (device or port)
        text = f"{where}: {message}" if where else message
        if remedy:
            text = f"{text} ({remedy})"
        super().__init__(text)
        self.detail = message


class TransportError(DeviceError):
    """The link to the device failed: missing port, unplugged, service stopped."""


class DeviceTimeout(TransportError):
    """A blocking call did not finish within its timeout."""


class NoDeviceError(TransportError):
    """The configured device is not there (no port, no reader)."""


class PortInUseError(TransportError):
    """Another program holds the device's port (e.g. `kiosk diag` beside a running kiosk)."""


class DeviceReportedError(DeviceError):
    """The device answered with an error of its own."""


class CardError(DeviceError):
    """The card (or ID document) in the device cannot be used."""


class NoCardError(CardError):
    """No card was presented within the wait."""
