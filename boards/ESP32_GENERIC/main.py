# main.py template: one request to show the board works, and the WiFi watchdog.
# Replace with your application. `netstack.run()` drives the event loop.
import asyncio
import netstack
import netstack_wifi
from netstack import fetch


def show(data):
    print("fetch:", data["code"], len(data["data"]), "chars")


async def main():
    asyncio.create_task(netstack_wifi.keep_up())    # reconnects with backoff if the link drops
    fetch.fetch({"url": "http://example.com/", "responseType": "text", "success": show,
                 "fail": lambda msg, code: print("fetch failed:", code, msg)})
    while True:
        await asyncio.sleep(60)


if netstack_wifi.ready():
    netstack.run(main())
else:
    print("main: no network (", netstack_wifi.status(), "): not starting")
