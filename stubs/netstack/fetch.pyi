# Type stubs for editors (not deployed): @system.fetch.
from typing import Any, Callable, Mapping, TypedDict, Union


class FetchResponse(TypedDict, total=False):
    code: int
    headers: dict
    data: Union[str, bytes, dict, list]


class FetchOptions(TypedDict, total=False):
    url: str
    data: Union[str, bytes, Mapping[str, Any], list]
    header: Mapping[str, Any]
    method: str
    responseType: str
    success: Callable[[FetchResponse], Any]
    fail: Callable[[str, int], Any]
    complete: Callable[[], Any]
    caData: Union[str, bytes]


def fetch(options: FetchOptions) -> None: ...
