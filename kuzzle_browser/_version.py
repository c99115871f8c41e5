"""The package version, read by the build backend and sent as ``sdkName``."""

__version__ = "0.1.0"
