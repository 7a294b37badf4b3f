"""A client that retries with exponential backoff (200, 600, 1800 ms), as the retry scenario expects.

Each pause is three times the last, so the shape stays clear even when a busy machine stretches a sleep."""
import os
import socket
import sys
import time

host, port = os.environ["CHAOS_WEB_ADDR"].rsplit(":", 1)
pauses = [0.2, 0.6, 1.8]
for attempt in range(len(pauses) + 1):
    try:
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: chaos\r\nConnection: close\r\n\r\n")
            answer = s.recv(4096)
            if not answer:
                raise ConnectionError("closed without an answer")
            print("served on attempt", attempt + 1)
            sys.exit(0)
    except OSError as error:
        print("attempt", attempt + 1, "failed:", error)
        if attempt == len(pauses):
            sys.exit("gave up")
        time.sleep(pauses[attempt])
