"""The bot's way to the services: the kit's pooled RPC client (shared/kit/pool.py)."""
from shared.kit.pool import PooledServices, Services, Unavailable

__all__ = ["PooledServices", "Services", "Unavailable"]
