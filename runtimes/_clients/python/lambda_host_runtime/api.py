"""A Runtime API client over one kept-alive TCP connection with TCP_NODELAY.

http.client parses headers with the email package, which costs more than the rest of an
invocation's overhead together; the Runtime API is a handful of fixed requests, so this
speaks just enough HTTP/1.1 itself: Content-Length bodies, keep-alive, reconnect on a
dropped connection. After an invocation's answer it asks for the next one in the same
write (HTTP/1.1 pipelining), saving a round trip per invocation.
"""

import socket

NEXT = b"/2018-06-01/runtime/invocation/next"


class RuntimeApiError(Exception):
    pass


class Invocation:
    __slots__ = ("body", "headers", "request_id")

    def __init__(self, request_id, headers, body):
        self.request_id = request_id
        self.headers = headers
        self.body = body


class RuntimeApiClient:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.address = (host, int(port))
        self.host_header = address.encode("ascii")
        self.sock = None
        self.buffer = b""
        self.next_asked = False  # a GET /next went out with the last answer

    def _connect(self):
        sock = socket.create_connection(self.address, timeout=1)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.buffer = b""

    def _build(self, method, path, body=b"", headers=()):
        head = [b"%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path, self.host_header)]
        for name, value in headers:
            head.append(b"%s: %s\r\n" % (name, value))
        head.append(b"Content-Length: %d\r\n\r\n" % len(body))
        return b"".join(head) + body

    def _request(self, method, path, body=b"", headers=(), then=b""):
        request = self._build(method, path, body, headers) + then
        for attempt in (0, 1):
            if self.sock is None:
                self._connect()
            try:
                self.sock.sendall(request)
                return self._read_response()
            except (ConnectionError, EOFError):
                self.close()
                if attempt:
                    raise
        raise RuntimeApiError("unreachable")

    def _read_until(self, marker):
        while True:
            index = self.buffer.find(marker)
            if index >= 0:
                data, self.buffer = self.buffer[:index], self.buffer[index + len(marker) :]
                return data
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk

    def _read_body(self, length):
        while len(self.buffer) < length:
            chunk = self.sock.recv(max(65536, length - len(self.buffer)))
            if not chunk:
                raise EOFError
            self.buffer += chunk
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return body

    def _read_response(self):
        head = self._read_until(b"\r\n\r\n").split(b"\r\n")
        status = int(head[0].split(b" ", 2)[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower().decode("latin-1")] = value.strip().decode("utf-8", "replace")
        body = self._read_body(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    def next(self):
        if self.next_asked:
            self.next_asked = False
            try:
                status, headers, body = self._read_response()
            except (ConnectionError, EOFError):
                self.close()
                status, headers, body = self._request(b"GET", NEXT)
        else:
            status, headers, body = self._request(b"GET", NEXT)
        if status != 200:
            raise RuntimeApiError(f"Failed to get next invocation: {status} {body[:200]!r}")
        return Invocation(headers.get("lambda-runtime-aws-request-id", ""), headers, body)

    def _answer(self, path, body, content_type):
        then = self._build(b"GET", NEXT)
        status = self._request(b"POST", path, body, ((b"Content-Type", content_type),), then)[0]
        self.next_asked = self.sock is not None
        return status

    def post_response(self, request_id, body, content_type="application/json"):
        path = b"/2018-06-01/runtime/invocation/%s/response" % request_id.encode()
        return self._answer(path, body, content_type.encode())

    def post_error(self, request_id, body):
        path = b"/2018-06-01/runtime/invocation/%s/error" % request_id.encode()
        return self._answer(path, body, b"application/json")

    def post_init_error(self, body, error_type):
        headers = (
            (b"Content-Type", b"application/json"),
            (b"Lambda-Runtime-Function-Error-Type", error_type.encode("utf-8", "replace")),
        )
        return self._request(b"POST", b"/2018-06-01/runtime/init/error", body, headers)[0]
