"""A fork server for the real aws CLI, for the node simulation.

The simulated nodes run the real aws CLI (awscli, the Python package the machine's `aws` runs):
most of a call's CPU is the same for every call: Python importing awscli, botocore and the CLI's
plugins, the CLI building its command table and botocore loading the service models (about
0.5 s of 0.6 s here). This server does that once: it creates the CLI's driver, as
`awscli.clidriver.main()` does (`create_clidriver()`), and warms it with the command table and
the models of the services the nodes call. For each call a client (stubs/aws-client.py) hands it
the call's argv, environment, working directory and stdin/stdout/stderr; a forked child takes
them on and runs `driver.main(argv)`, which is what `main()` runs next, then reports the exit
status. Each call starts from the same warmed state (a fork, never a reused process), with its
own environment: botocore reads credentials, region, endpoint and retry settings from it when
the call makes its client. Nothing of the CLI is replaced: same code, same arguments, same
output. What the driver reads when it is created (the config file's plugins and the user agent)
comes from the server's environment, the test process's, which the nodes' environments extend.

    python aws-cli-server.py SOCKET_PATH

Exits when its parent (the test process) is gone.
"""
import json
import os
import signal
import socket
import sys

_BEFORE_IMPORT = dict(os.environ)
import awscli.clidriver  # noqa: E402  (the point: imported once, before any fork)

#: The services the node scripts and the simulation call.
WARM_SERVICES = ["ssm", "secretsmanager", "ec2", "autoscaling", "kms"]

DRIVER = awscli.clidriver.create_clidriver()
DRIVER._get_command_table()  # what the driver's main() builds first (awscli/clidriver.py)
for _service in WARM_SERVICES:
    DRIVER.session.get_service_model(_service)

# What importing awscli puts into the environment (awscli/__init__.py sets AWS_DATA_PATH to its
# own data directory), as the `aws` script's process has it after the same import.
_SET_BY_IMPORT = {k: v for k, v in os.environ.items() if _BEFORE_IMPORT.get(k) != v}


def serve_one(conn: socket.socket) -> None:
    """In a forked child: read the request, take on its fds and environment, run the CLI."""
    data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 20, 3)
    request = json.loads(data.decode("utf-8"))
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    for name, value in _SET_BY_IMPORT.items():
        if name == "AWS_DATA_PATH" and request["env"].get(name):
            value = os.pathsep.join([request["env"][name], value])
        os.environ[name] = value
    os.chdir(request["cwd"])
    sys.argv = ["aws", *request["argv"]]
    code = 255
    try:
        code = DRIVER.main(request["argv"])
        awscli.clidriver.HISTORY_RECORDER.record("CLI_RC", code, "CLI")  # as main() does after driver.main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    conn.sendall(str(code).encode("ascii"))
    conn.close()
    os._exit(code)


def main() -> None:
    path = sys.argv[1]
    parent = os.getppid()
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    server.settimeout(1.0)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    print("ready", flush=True)
    while os.getppid() == parent:
        try:
            conn, _ = server.accept()
        except socket.timeout:
            continue
        conn.settimeout(None)
        if os.fork() == 0:
            server.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                serve_one(conn)
            except BaseException as e:  # the client reports a failed call, never hangs
                try:
                    os.write(2, f"aws-cli-server: {e!r}\n".encode())
                    conn.sendall(b"255")
                finally:
                    os._exit(255)
        conn.close()
    os.unlink(path)


if __name__ == "__main__":
    main()
