"""tthc-metrics peer benchmark."""
