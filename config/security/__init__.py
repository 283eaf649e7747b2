"""Security glue that fits no single app: CSP for third-party pages."""
