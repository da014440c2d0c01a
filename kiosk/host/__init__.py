"""The bank host behind one interface: the embedded sandbox bank or an ISO 8583 link."""
