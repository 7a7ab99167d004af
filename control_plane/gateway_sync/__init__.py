"""The edge gateways' view of the live deployments."""
