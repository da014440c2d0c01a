"""Bank chip card readers (PC/SC, EMV / UnionPay PBOC)."""
