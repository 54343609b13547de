package dev.bubblesandbox.server.mcp;

/**
 * The API refused a tool's request: its HTTP status and its error's code and message, which the
 * tool passes on to the agent (a JSON-RPC error or a tool error, see {@link ToolResults}).
 */
final class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }
}
