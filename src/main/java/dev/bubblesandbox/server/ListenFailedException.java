package dev.bubblesandbox.server;

import dev.bubblesandbox.BubbleSandboxException;
import java.net.BindException;

/** The server cannot listen where it is configured to: it says where, and how to choose another. */
public final class ListenFailedException extends BubbleSandboxException {

  ListenFailedException(String host, int port, BindException cause) {
    super(message(host, port, cause), cause);
  }

  private static String message(String host, int port, BindException cause) {
    String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    String reason = String.valueOf(cause.getMessage());
    if (reason.contains("in use")) {
      return "Cannot listen on " + address + ": the port is already in use (another server?); "
          + "pick another with --port N or BUBBLE_SANDBOX_HTTP_PORT=N.";
    }
    return "Cannot listen on " + address + ": " + reason + "; pick another address with "
        + "BUBBLE_SANDBOX_HTTP_HOST or another port with --port N or BUBBLE_SANDBOX_HTTP_PORT=N.";
  }

  @Override
  public String code() {
    return "listen_failed";
  }
}
