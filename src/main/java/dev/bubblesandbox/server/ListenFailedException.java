package dev.bubblesandbox.server;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import java.net.BindException;

/** The server cannot listen where it is configured to: it says where, and how to choose another. */
public final class ListenFailedException extends BubbleSandboxException {

  ListenFailedException(String host, int port, BindException cause) {
    super(ErrorCode.LISTEN_FAILED, message(host, port, cause), cause);
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
}
