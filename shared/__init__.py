"""Làng Xanh's common kit (contracts, kit, reference data, CLI)."""
import warnings

# nameko 2.14 runs on eventlet, which warns on import that it is in maintenance mode; we know.
warnings.filterwarnings("ignore", message="\\s*Eventlet is deprecated")
