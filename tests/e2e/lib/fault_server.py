#!/usr/bin/env python3
"""A cache server that misbehaves on purpose, for the remote cache's fault tests.

    fault_server.py PORT DIR MODE

Serves DIR like a WebDAV cache (GET, HEAD, PUT of /cache/ac/... and /cache/cas/...) and
injects one fault, chosen by MODE:
    stall       every request waits 30 s before it is answered (past any client timeout)
    error500    every request is answered 500
    truncate    GET sends the full Content-Length but only half the body, then closes
    wrong-blob  GET of a cas/ blob returns other bytes of the same length
    garbage-ac  GET of an ac/ record returns bytes that are not a record
    flaky429    the first request for each path is answered 429, later ones normally
    full        PUT is answered 507 (Insufficient Storage), as a server with a full disk does
"""
import http.server
import os
import sys
import threading
import time

PORT, ROOT, MODE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
seen = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (MODE, fmt % args))

    def path_on_disk(self):
        return os.path.join(ROOT, self.path.lstrip("/"))

    def answer(self, status, body=b"", length=None):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def fault(self):
        """Answers the request with the mode's fault and returns True, or returns False."""
        if MODE == "stall":
            time.sleep(30)
        if MODE == "error500":
            self.answer(500, b"injected failure")
            return True
        if MODE == "flaky429":
            with lock:
                first = (self.command, self.path) not in seen
                seen.add((self.command, self.path))
            if first:
                self.answer(429, b"slow down")
                return True
        return False

    def do_GET(self):
        if self.fault():
            return
        try:
            with open(self.path_on_disk(), "rb") as f:
                body = f.read()
        except OSError:
            return self.answer(404)
        if MODE == "truncate" and self.command == "GET":
            self.answer(200, body[: len(body) // 2], length=len(body))
            self.close_connection = True
            return
        if MODE == "wrong-blob" and "/cas/" in self.path:
            body = bytes(b ^ 0x5A for b in body)
        if MODE == "garbage-ac" and "/ac/" in self.path:
            body = b"\xff\xff\xff not an ActionResult"
        self.answer(200, body)

    do_HEAD = do_GET

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.fault():
            return
        if MODE == "full":
            return self.answer(507, b"insufficient storage")
        path = self.path_on_disk()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "wb") as f:
            f.write(body)
        os.replace(path + ".tmp", path)
        self.answer(201)


http.server.ThreadingHTTPServer.daemon_threads = True
http.server.ThreadingHTTPServer.request_queue_size = 256  # 16 parallel connects at once
http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
