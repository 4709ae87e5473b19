"""What one idle hub socket costs: `.venv/bin/python bench/idlememory.py [--clients 1000]`.

A uvicorn server in this process runs only the hub (a memory broker, a 30-table snapshot);
``--clients`` WebSocket clients connect from another process and stay idle. Prints the
growth of this process's VmRSS (inflated by tracemalloc itself) and of the traced Python
heap per socket, with the allocation sites that grew most.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing as mp
import resource
import socket
import sys
import tracemalloc
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from fastapi import FastAPI, WebSocket  # module level: the route's annotations are strings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def raise_fd_limit() -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def clients_main(port: int, clients: int, conn: Connection) -> None:
    raise_fd_limit()
    asyncio.run(_clients(port, clients, conn))


async def _clients(port: int, clients: int, conn: Connection) -> None:
    from websockets.asyncio.client import connect

    sockets: list[Any] = []
    gate = asyncio.Semaphore(64)

    async def one() -> None:
        async with gate:
            ws = await connect(
                f"ws://127.0.0.1:{port}/floor/idle", ping_interval=None, compression=None
            )
            await ws.recv()  # the snapshot
            sockets.append(ws)

    await asyncio.gather(*(one() for _ in range(clients)))
    conn.send("ready")
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    for ws in sockets:
        ws.transport.abort()


async def measure(clients: int, top: int) -> None:
    import uvicorn

    from realtime import Hub, MemoryBroker

    broker = MemoryBroker()
    await broker.connect()

    async def load(channel: str) -> dict[str, Any]:
        return {"tables": [{"id": i, "state": "free"} for i in range(30)]}

    hub = Hub(broker, load)
    app = FastAPI()

    @app.websocket("/floor/{channel}")
    async def floor(websocket: WebSocket, channel: str) -> None:
        await hub.serve(websocket, channel)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", ws_per_message_deflate=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.01)
    gc.collect()
    tracemalloc.start(8)
    before_rss, before = rss_mb(), tracemalloc.take_snapshot()
    parent, child = mp.get_context("spawn").Pipe()
    process = mp.get_context("spawn").Process(target=clients_main, args=(port, clients, child))
    process.start()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, parent.recv)
    await asyncio.sleep(1)
    gc.collect()
    after, after_rss = tracemalloc.take_snapshot(), rss_mb()
    stats = after.compare_to(before, "lineno")
    print(
        f"{clients} idle sockets: VmRSS {before_rss:.1f} -> {after_rss:.1f} MB "
        f"({(after_rss - before_rss) / clients * 1000:.1f} MB per 1,000, tracemalloc on); "
        f"traced heap {sum(s.size_diff for s in stats) / clients:.0f} B per socket"
    )
    for stat in stats[:top]:
        frame = stat.traceback[0]
        where = frame.filename.split("site-packages/")[-1]
        print(
            f"{stat.size_diff / clients:7.0f} B  {stat.count_diff / clients:5.1f} blocks  "
            f"{where}:{frame.lineno}"
        )
    parent.send("stop")
    process.join()
    server.should_exit = True
    await task
    await broker.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    raise_fd_limit()
    asyncio.run(measure(args.clients, args.top))


if __name__ == "__main__":
    main()
