"""Fleet monitoring over MQTT: the kiosk's publisher and the console's monitor of many kiosks.

Topics (prefix from config, default `bank`):
- `{prefix}/{branch}/{kiosk}/status`          retained JSON, `state` online/offline (Last Will)
- `{prefix}/{branch}/{kiosk}/event/{device}`   QoS 1 alert events with a unique `event_id`
- `{prefix}/{branch}/{kiosk}/command/{verb}`   QoS 1 staff commands to the kiosk (ack, resolve)
"""
