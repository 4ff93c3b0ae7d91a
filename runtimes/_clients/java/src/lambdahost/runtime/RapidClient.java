package lambdahost.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** The Runtime API: the next invocation, its response or error, and init errors. */
final class RapidClient {
    private final String base;

    RapidClient(String address) {
        this.base = "http://" + address + "/2018-06-01/runtime";
    }

    /** One invocation: its headers and its event's bytes. */
    static final class Invocation {
        final HttpURLConnection headers;
        final byte[] event;

        Invocation(HttpURLConnection headers, byte[] event) {
            this.headers = headers;
            this.event = event;
        }

        String header(String name) {
            return headers.getHeaderField(name);
        }
    }

    Invocation next() throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(base + "/invocation/next").openConnection();
        connection.setReadTimeout(0);
        try (InputStream in = connection.getInputStream()) {
            return new Invocation(connection, readAll(in));
        }
    }

    void respond(String requestId, byte[] body) throws IOException {
        post("/invocation/" + requestId + "/response", body, null);
    }

    void fail(String requestId, String errorType, byte[] body) throws IOException {
        post("/invocation/" + requestId + "/error", body, errorType);
    }

    void initError(String errorType, byte[] body) throws IOException {
        post("/init/error", body, errorType);
    }

    private void post(String path, byte[] body, String errorType) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(base + path).openConnection();
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
        connection.setRequestProperty("Content-Type", "application/json");
        if (errorType != null) {
            connection.setRequestProperty("Lambda-Runtime-Function-Error-Type", errorType);
        }
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
        }
        try (InputStream in = connection.getResponseCode() < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            if (in != null) {
                readAll(in);
            }
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
