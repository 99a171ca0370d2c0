"""`aws` on a simulated node, when the simulation runs the CLI through its fork server
(../aws-cli-server.py): hands this call's argv, environment, working directory and
stdin/stdout/stderr to the server, whose forked child runs the real aws CLI with them, and exits
with the CLI's status. Imports nothing heavy: starting this is what a call costs now.

    SIM_AWS_SOCKET=<server socket> python aws-client.py ARGS...
"""
import json
import os
import socket
import sys
import time


def main() -> int:
    request = {"argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd()}
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # The server may still be starting (it is started with the first simulated node).
    deadline = time.monotonic() + 30
    while True:
        try:
            conn.connect(os.environ["SIM_AWS_SOCKET"])
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    socket.send_fds(conn, [json.dumps(request).encode("utf-8")], [0, 1, 2])
    answer = b""
    while chunk := conn.recv(16):
        answer += chunk
    return int(answer or b"255")


if __name__ == "__main__":
    sys.exit(main())
