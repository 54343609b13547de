package dev.bubblesandbox.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 on a plain socket, written in the order the test says: a whole body before any read,
 * as python {@code requests} and {@code httpx} send it, or headers alone while waiting for
 * {@code 100 Continue}, as curl does. A watchdog closes the socket at the deadline, so a server
 * that neither reads nor answers fails the test instead of blocking a write forever.
 */
final class RawHttpConnection implements AutoCloseable {

  private static final byte[] CHUNK = new byte[64 * 1024];

  static {
    Arrays.fill(CHUNK, (byte) 'a');
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "raw-http-watchdog");
    thread.setDaemon(true);
    return thread;
  });
  private final Duration deadline;
  private volatile boolean timedOut;

  /** What the server answered: status, headers (names in lower case) and body. */
  record Response(int status, String statusLine, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  RawHttpConnection(int port, Duration deadline) throws IOException {
    this.deadline = deadline;
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout((int) deadline.toMillis());
    in = socket.getInputStream();
    out = socket.getOutputStream();
    watchdog.schedule(() -> {
      timedOut = true;
      close();
    }, deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The request line and headers; {@code Host: 127.0.0.1} is added unless the headers have one. */
  void writeHead(String method, String path, Map<String, String> headers) throws IOException {
    StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    if (headers.keySet().stream().noneMatch(name -> name.equalsIgnoreCase("Host"))) {
      head.append("Host: 127.0.0.1\r\n");
    }
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  void writeBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /**
   * Writes {@code size} bytes of body. A server may answer and close before it has all of them:
   * like urllib3 and httpcore, the caller then still reads the answer.
   *
   * @return the bytes written before the server closed the connection
   */
  long writeBody(long size) {
    long written = 0;
    try {
      while (written < size) {
        int length = (int) Math.min(CHUNK.length, size - written);
        out.write(CHUNK, 0, length);
        written += length;
      }
      out.flush();
    } catch (IOException closed) {
      failIfTimedOut();
    }
    return written;
  }

  /** Like {@link #writeBody} with chunked transfer coding, ending with the last chunk. */
  long writeChunkedBody(long size) {
    long written = 0;
    try {
      while (written < size) {
        int length = (int) Math.min(CHUNK.length, size - written);
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(CHUNK, 0, length);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        written += length;
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException closed) {
      failIfTimedOut();
    }
    return written;
  }

  /** Reads one response: interim {@code 1xx} responses are returned like final ones. */
  Response readResponse() throws IOException {
    try {
      String statusLine = readLine();
      if (statusLine == null) {
        throw new AssertionError("the server closed the connection without answering");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      byte[] body = new byte[0];
      if (headers.containsKey("content-length")) {
        body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      }
      return new Response(status, statusLine, headers, new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      failIfTimedOut();
      throw e;
    }
  }

  /** Whether the server closes the connection within the deadline (end of stream or reset). */
  boolean closedByServer() {
    try {
      return in.read() == -1;
    } catch (SocketException reset) {
      // A reset counts as closed; the watchdog's own close does not.
      return !timedOut;
    } catch (IOException stillOpen) {
      return false;
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int previous = -1;
    for (int b = in.read(); b != -1; b = in.read()) {
      if (previous == '\r' && b == '\n') {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
      previous = b;
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  private void failIfTimedOut() {
    if (timedOut) {
      throw new AssertionError("no answer from the server within " + deadline.toSeconds() + " s");
    }
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing is all that is left to do with it.
    }
  }
}
