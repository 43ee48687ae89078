"""Render in a separate process with a hard time limit, so a runaway layout never ties up a web worker."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from typing import Any

DEFAULT_TIMEOUT = 20.0


class RenderTimeout(Exception):
    """Rendering took longer than allowed and was stopped."""


class RenderFailed(Exception):
    """Rendering failed in the worker process."""


def _child(send: Any, render: Callable[[], bytes], niceness: int) -> None:
    # A short-lived child needs no cycle collector, and a collection would walk (and so copy)
    # every object the web worker holds; the process exits straight after anyway.
    gc.disable()
    try:
        if niceness:
            os.nice(niceness)
        send.send_bytes(render())
    except BaseException as exc:  # report any failure to the parent, then exit
        send.send_bytes(b"\x00ERROR:" + type(exc).__name__.encode())
    finally:
        send.close()
        os._exit(0)


def render_in_worker(render: Callable[[], bytes], *, timeout: float = DEFAULT_TIMEOUT, niceness: int = 0) -> bytes:
    """Run `render` in a forked process; give its bytes, or raise RenderTimeout / RenderFailed.

    Forking shares the already-imported WeasyPrint and the inputs with the child, so nothing is
    pickled but the PDF coming back. With `niceness`, the child runs at that lower CPU priority,
    so on a busy machine the cores go to page requests first.
    """
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, render, niceness), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(timeout):
            raise RenderTimeout(f"rendering took more than {timeout:g} s and was stopped")
        data = receive.recv_bytes()
    except EOFError:
        raise RenderFailed("the render worker stopped without a result") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receive.close()
    if data.startswith(b"\x00ERROR:"):
        raise RenderFailed(f"rendering failed: {data[7:].decode(errors='replace')}")
    return data
