"""Stand-ins for K/TE servers and online accesses on loopback ports (docs/standins.md)."""
from .host import StandinHost
from .kte import KteServer
from .online import OnlineServer

__all__ = ["KteServer", "OnlineServer", "StandinHost"]
