# Type stubs for editors (not deployed). `import netstack` loads only the core on the board;
# the submodules load on first attribute access.
from typing import Any, Awaitable, Optional, TypeVar

from . import fetch as fetch, http as http, socket as socket, webSocket as webSocket

__version__: str
T = TypeVar("T")


class BusinessError(Exception):
    code: int
    @property
    def message(self) -> str: ...
    def __init__(self, code: int, message: Optional[str] = ...) -> None: ...


def run(awaitable: Optional[Awaitable[T]] = ...) -> T: ...
def debug(on: bool = ...) -> None: ...
