#!/usr/bin/env python3
"""Connection-count figures for bench/run.sh, on loopback, with only the standard library.

  conns.py echo PORT
      An echo server on 127.0.0.1:PORT (the upstream for the connection figures).
  conns.py idle HOST PORT COUNT PID
      Opens COUNT connections to HOST:PORT, passes one byte through each (so the relay has dialled its
      upstream and relayed once), then leaves them idle and prints the growth of PID's resident set
      (VmRSS) per connection, in bytes, as JSON.
  conns.py concurrent HOST PORT COUNT SIZE
      Opens COUNT connections and holds them all open; then each sends SIZE random bytes and checks that
      exactly those bytes come back. Prints JSON: how many connections were opened and verified, seconds.
"""
import asyncio
import json
import os
import resource
import sys
import time

OPEN_BATCH = 500  # connects in flight at once: stays under the listeners' accept-queue length


def raise_nofile():
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def echo(port):
    async def serve(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
            writer.write_eof()
            await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=4096, reuse_address=True)
    async with server:
        await server.serve_forever()


async def open_all(host, port, count):
    """Opens count connections, OPEN_BATCH at a time; returns the (reader, writer) pairs that opened."""
    opened, failures = [], 0
    for start in range(0, count, OPEN_BATCH):
        batch = await asyncio.gather(
            *(asyncio.wait_for(asyncio.open_connection(host, port), 30) for _ in range(min(OPEN_BATCH, count - start))),
            return_exceptions=True)
        for result in batch:
            if isinstance(result, BaseException):
                failures += 1
            else:
                opened.append(result)
    return opened, failures


async def round_trip(reader, writer, payload):
    writer.write(payload)
    await writer.drain()
    return await asyncio.wait_for(reader.readexactly(len(payload)), 60) == payload


async def settle(pairs, payload):
    results = await asyncio.gather(*(round_trip(r, w, payload(i)) for i, (r, w) in enumerate(pairs)), return_exceptions=True)
    return sum(1 for result in results if result is True)


def close_all(pairs):
    for _, writer in pairs:
        writer.close()


async def idle(host, port, count, pid):
    before = rss(pid)
    pairs, failures = await open_all(host, port, count)
    relayed = await settle(pairs, lambda i: b"x")
    await asyncio.sleep(2)  # let the relay finish its per-connection work (events, first-byte samples)
    after = rss(pid)
    close_all(pairs)
    print(json.dumps({"connections": len(pairs), "relayed": relayed, "failed_to_open": failures,
                      "rss_before": before, "rss_after": after,
                      "bytes_per_connection": round((after - before) / max(relayed, 1))}))


async def concurrent(host, port, count, size):
    started = time.monotonic()
    pairs, failures = await open_all(host, port, count)
    opened = time.monotonic()
    payloads = [os.urandom(size) for _ in range(len(pairs))]
    verified = await settle(pairs, lambda i: payloads[i])
    done = time.monotonic()
    close_all(pairs)
    print(json.dumps({"requested": count, "connections": len(pairs), "verified": verified, "failed_to_open": failures,
                      "bytes_each": size, "open_seconds": round(opened - started, 2),
                      "seconds": round(done - started, 2), "passed": verified == count}))


def main(argv):
    raise_nofile()
    mode, args = argv[1], argv[2:]
    if mode == "echo":
        asyncio.run(echo(int(args[0])))
    elif mode == "idle":
        asyncio.run(idle(args[0], int(args[1]), int(args[2]), int(args[3])))
    elif mode == "concurrent":
        asyncio.run(concurrent(args[0], int(args[1]), int(args[2]), int(args[3])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
