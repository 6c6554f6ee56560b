"""The sandbox over a real socket: a threaded wsgiref server that can drop calls.

wsgiref cannot "not answer", so the request handler catches DropConnection
(raised by the app before it starts a response) and closes the connection
itself: at once for a disconnect, after holding it open for a timeout.
"""

import contextlib
import socket
import socketserver
import sys
import time
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from .app import DropConnection


class _ServerHandler(ServerHandler):
    dropped = None

    def run(self, application):
        # Same as BaseHandler.run, plus the DropConnection branch.
        try:
            self.setup_environ()
            self.result = application(self.environ, self.start_response)
            self.finish_response()
        except DropConnection as drop:
            self.dropped = drop
        except (ConnectionAbortedError, BrokenPipeError, ConnectionResetError):
            return
        except Exception:
            try:
                self.handle_error()
            except Exception:
                self.close()
                raise


class _RequestHandler(WSGIRequestHandler):
    access_log = False

    def handle(self):
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = ""
            self.request_version = ""
            self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _ServerHandler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True
        )
        handler.request_handler = self
        handler.run(self.server.get_app())
        if handler.dropped is not None:
            self._drop(handler.dropped)

    def _drop(self, drop):
        if drop.kind == "timeout":
            time.sleep(drop.hold)
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may have given up first
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format, *args):
        if self.access_log:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


class SandboxHTTPServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True  # held (timed-out) connections never block shutdown
    block_on_close = False
    allow_reuse_address = True

    def server_bind(self):
        # HTTPServer.server_bind calls socket.getfqdn(), a DNS lookup that can
        # hang on machines without a resolver. The name is not needed.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port
        self.setup_environ()


class _SandboxHTTPServer6(SandboxHTTPServer):
    address_family = socket.AF_INET6


def make_server(host, port, app, access_log=False):
    server_class = _SandboxHTTPServer6 if ":" in host else SandboxHTTPServer
    handler = type("Handler", (_RequestHandler,), {"access_log": access_log})
    server = server_class((host, port), handler)
    server.set_app(app)
    return server
