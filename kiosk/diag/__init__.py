"""Device diagnostics behind `kiosk diag`; their JSON keys are a public contract."""
