package dev.bubblesandbox.server.mcp;

/**
 * The JSON Schemas of the tools' arguments and answers (SPEC §12). Arguments are checked against
 * them before a tool runs (a mismatch is a JSON-RPC error, -32602); the SDK checks each answer's
 * {@code structuredContent} against its output schema.
 */
final class ToolSchemas {

  private static final String SESSION_ID = """
      "session_id": {"type": "string", "minLength": 1, "maxLength": 64,
        "description": "a session made by create_session"}""";
  private static final String ENVIRONMENT = """
      "environment": {"type": "string", "description": "a Python environment (list_environments); the server's default when left out"}""";
  private static final String TIMEOUT = """
      "timeout_seconds": {"type": "integer", "minimum": 1, "description": "lowers, never raises, the server's time limit"}""";

  static final String RUN_PYTHON_IN = """
      {"type": "object", "additionalProperties": false, "required": ["code"], "properties": {
        "code": {"type": "string", "description": "Python source; the value of a last expression is returned"},
        %s, %s, %s}}""".formatted(SESSION_ID, ENVIRONMENT, TIMEOUT);

  static final String RUN_SHELL_IN = """
      {"type": "object", "additionalProperties": false, "required": ["command"], "properties": {
        "command": {"type": "string", "description": "a /bin/sh command line, run in the session's workspace"},
        %s, %s, %s}}""".formatted(SESSION_ID, ENVIRONMENT, TIMEOUT);

  /** The HTTP API's execution result (SPEC §3, §11) plus {@code result_text}. */
  static final String EXECUTION_OUT = """
      {"type": "object", "required": ["stdout", "stderr", "return_code"], "properties": {
        "stdout": {"type": "string"}, "stderr": {"type": "string"},
        "return_code": {"type": ["integer", "null"]},
        "timed_out": {"type": "boolean"}, "truncated": {"type": "boolean"},
        "limit": {"type": ["string", "null"]},
        "duration_ms": {"type": "integer"},
        "results": {"type": "array", "items": {"type": "object"}},
        "result_text": {"type": ["string", "null"], "description": "the last expression's text/plain value"},
        "error": {"type": ["object", "null"], "properties": {
          "name": {"type": "string"}, "value": {"type": "string"},
          "traceback": {"type": "array", "items": {"type": "string"}}}},
        "execution_count": {"type": ["integer", "null"]},
        "kernel": {"type": ["string", "null"], "enum": ["preserved", "restarted", "lost", null]}}}""";

  static final String CREATE_SESSION_IN = """
      {"type": "object", "additionalProperties": false, "properties": {
        %s,
        "kernel": {"type": "boolean", "default": true, "description": "keep one Python process whose state run_python calls share"}}}"""
      .formatted(ENVIRONMENT);

  static final String CREATE_SESSION_OUT = """
      {"type": "object", "required": ["session_id", "environment", "kernel"], "properties": {
        "session_id": {"type": "string"}, "environment": {"type": "string"}, "kernel": {"type": "boolean"}}}""";

  static final String SESSION_IN = """
      {"type": "object", "additionalProperties": false, "required": ["session_id"], "properties": {%s}}"""
      .formatted(SESSION_ID);

  static final String CLOSE_SESSION_OUT = """
      {"type": "object", "required": ["session_id", "closed"], "properties": {
        "session_id": {"type": "string"}, "closed": {"type": "boolean"}}}""";

  static final String NO_ARGUMENTS = """
      {"type": "object", "additionalProperties": false, "properties": {}}""";

  static final String LIST_ENVIRONMENTS_OUT = """
      {"type": "object", "required": ["environments"], "properties": {
        "environments": {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {
          "name": {"type": "string"}, "description": {"type": ["string", "null"]},
          "dependencies": {"type": "array", "items": {"type": "string"}},
          "python_version": {"type": ["string", "null"]}, "ready": {"type": "boolean"}}}}}}""";

  private static final String PATH = """
      "path": {"type": "string", "minLength": 1, "description": "relative, /-separated, inside the session's workspace"}""";

  static final String LIST_FILES_IN = """
      {"type": "object", "additionalProperties": false, "required": ["session_id"], "properties": {
        %s,
        "path": {"type": "string", "description": "a directory of the workspace; all files when left out"}}}"""
      .formatted(SESSION_ID);

  static final String LIST_FILES_OUT = """
      {"type": "object", "required": ["files"], "properties": {
        "files": {"type": "array", "items": {"type": "object", "required": ["path", "size"], "properties": {
          "path": {"type": "string"}, "size": {"type": "integer"}, "modified": {"type": "string"}}}}}}""";

  static final String READ_FILE_IN = """
      {"type": "object", "additionalProperties": false, "required": ["session_id", "path"], "properties": {%s, %s}}"""
      .formatted(SESSION_ID, PATH);

  static final String READ_FILE_OUT = """
      {"type": "object", "required": ["path", "size"], "properties": {
        "path": {"type": "string"}, "size": {"type": "integer"},
        "content": {"type": "string", "description": "the file as text, when it is UTF-8"},
        "content_base64": {"type": "string", "description": "the file's bytes, when it is not UTF-8"}}}""";

  static final String WRITE_FILE_IN = """
      {"type": "object", "additionalProperties": false, "required": ["session_id", "path"], "properties": {
        %s, %s,
        "content": {"type": "string", "description": "text, written as UTF-8"},
        "content_base64": {"type": "string", "description": "bytes, base64-encoded"}}}"""
      .formatted(SESSION_ID, PATH);

  static final String WRITE_FILE_OUT = """
      {"type": "object", "required": ["path", "size"], "properties": {
        "path": {"type": "string"}, "size": {"type": "integer"}}}""";

  private ToolSchemas() {}
}
