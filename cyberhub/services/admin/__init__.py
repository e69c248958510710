"""Running the platform: the audit trail, health and metrics, the admin overview and the demo data."""
