package dev.bubblesandbox;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Every error bubble-sandbox reports, in one table: the stable snake_case code that clients read
 * (HTTP error bodies, console {@code error} frames, the rejection metric), the HTTP status it is
 * answered with, the command line's exit status, and a sentence to show when no more specific
 * message may be (the details can name host paths) or none was given (a status Vert.x Web set).
 */
public enum ErrorCode {
  INVALID_REQUEST("invalid_request", 400, ExitStatus.USAGE_ERROR, "The request was refused."),
  INVALID_JSON("invalid_json", 400, ExitStatus.USAGE_ERROR, "The request body is not valid JSON."),
  INVALID_PATH("invalid_path", 400, ExitStatus.USAGE_ERROR, "The path is not valid."),
  INVALID_ENVIRONMENT_NAME("invalid_environment_name", 400, ExitStatus.USAGE_ERROR,
      "The environment name is not valid."),
  /** A console message that is not one the protocol knows. */
  INVALID_MESSAGE("invalid_message", 400, ExitStatus.USAGE_ERROR, "The message is not valid."),
  UNAUTHORIZED("unauthorized", 401, ExitStatus.USAGE_ERROR, "A valid API key is required."),
  PERSISTENCE_DISABLED("persistence_disabled", 403, ExitStatus.USAGE_ERROR,
      "Persistent sessions are disabled."),
  ORIGIN_NOT_ALLOWED("origin_not_allowed", 403, ExitStatus.USAGE_ERROR, "This origin is not allowed."),
  HOST_NOT_ALLOWED("host_not_allowed", 421, ExitStatus.USAGE_ERROR,
      "This server does not answer for that host name."),
  UNKNOWN_ENVIRONMENT("unknown_environment", 404, ExitStatus.USAGE_ERROR, "No such environment."),
  SESSION_NOT_FOUND("session_not_found", 404, ExitStatus.USAGE_ERROR, "No such session."),
  FILE_NOT_FOUND("file_not_found", 404, ExitStatus.USAGE_ERROR, "No such file."),
  NOT_FOUND("not_found", 404, ExitStatus.USAGE_ERROR, "No such resource."),
  METHOD_NOT_ALLOWED("method_not_allowed", 405, ExitStatus.USAGE_ERROR, "Method not allowed on this resource."),
  SESSION_BUSY("session_busy", 409, ExitStatus.USAGE_ERROR,
      "The session is already running something; wait for it to end."),
  SESSION_CONFLICT("session_conflict", 409, ExitStatus.USAGE_ERROR,
      "A session of that id exists with other settings."),
  /** A console {@code stdin} or {@code kill} with nothing running. */
  NO_EXECUTION("no_execution", 409, ExitStatus.USAGE_ERROR, "Nothing is running."),
  /** An interrupt or restart of a session that has no kernel (SPEC §11). */
  NOT_A_KERNEL("not_a_kernel", 409, ExitStatus.USAGE_ERROR, "This session has no kernel."),
  /** Console stdin the process is not reading, or sent after the execution ended. */
  STDIN_REFUSED("stdin_refused", 409, ExitStatus.USAGE_ERROR, "The stdin was not delivered."),
  PAYLOAD_TOO_LARGE("payload_too_large", 413, ExitStatus.USAGE_ERROR, "The request body is too large."),
  URI_TOO_LONG("uri_too_long", 414, ExitStatus.USAGE_ERROR, "The request was refused."),
  UNSUPPORTED_EXTENSION("unsupported_extension", 415, ExitStatus.USAGE_ERROR,
      "Files of this type may not be uploaded."),
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415, ExitStatus.USAGE_ERROR, "The request was refused."),
  TENANT_LIMIT_REACHED("tenant_limit_reached", 429, ExitStatus.SANDBOX_UNAVAILABLE,
      "This tenant holds as many sessions as it may; end one first."),
  HEADERS_TOO_LARGE("headers_too_large", 431, ExitStatus.USAGE_ERROR, "The request was refused."),
  INVALID_SETTING("invalid_setting", 500, ExitStatus.USAGE_ERROR, "A setting of the server is not valid."),
  ENVIRONMENTS_DIR_MISSING("environments_dir_missing", 500, ExitStatus.USAGE_ERROR,
      "The environments directory does not exist."),
  ENVIRONMENT_SYNC_FAILED("environment_sync_failed", 500, ExitStatus.ENVIRONMENT_SYNC_FAILED,
      "The environment could not be synced."),
  /** {@code serve} cannot listen on its configured host and port. */
  LISTEN_FAILED("listen_failed", 500, ExitStatus.USAGE_ERROR, "The server cannot listen on its address."),
  INTERNAL_ERROR("internal_error", 500, ExitStatus.INTERNAL_ERROR, "An internal error occurred."),
  CAPACITY_EXHAUSTED("capacity_exhausted", 503, ExitStatus.SANDBOX_UNAVAILABLE,
      "The server is at capacity; retry later."),
  ENVIRONMENT_NOT_READY("environment_not_ready", 503, ExitStatus.ENVIRONMENT_NOT_READY,
      "The environment is not ready; sync it with bubble-sandbox sync-environments."),
  SANDBOX_UNAVAILABLE("sandbox_unavailable", 503, ExitStatus.SANDBOX_UNAVAILABLE,
      "The sandbox could not be started; the server log has the details."),
  /** Cluster mode: the session's node left the cluster and may come back with it. */
  SESSION_UNAVAILABLE("session_unavailable", 503, ExitStatus.SANDBOX_UNAVAILABLE,
      "The node holding this session is unavailable; retry later.");

  private static final ErrorCode[] ALL = values();

  /** The codes that name a bare HTTP status set by Vert.x Web, one per status. */
  private static final Set<ErrorCode> FOR_BARE_STATUS = EnumSet.of(INVALID_REQUEST, ORIGIN_NOT_ALLOWED,
      NOT_FOUND, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE, URI_TOO_LONG, UNSUPPORTED_MEDIA_TYPE, HEADERS_TOO_LARGE);

  private final String code;
  private final int httpStatus;
  private final int exitStatus;
  private final String defaultMessage;

  ErrorCode(String code, int httpStatus, int exitStatus, String defaultMessage) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.exitStatus = exitStatus;
    this.defaultMessage = defaultMessage;
  }

  /** The stable, machine-readable code, e.g. {@code unknown_environment}. */
  public String code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The command line's exit status for this failure (see {@link ExitStatus}). */
  public int exitStatus() {
    return exitStatus;
  }

  /** A sentence for a client that may not see (or was not given) a more specific message. */
  public String defaultMessage() {
    return defaultMessage;
  }

  /**
   * Whether an HTTP answer with this code refuses the client's request (or the server is full
   * or not ready) rather than reporting a failure of the server: what the rejection metric counts.
   */
  public boolean isRejection() {
    return httpStatus < 500 || httpStatus == 503;
  }

  /**
   * This code as an event-bus failure code ({@code Message.fail}); the bus never leaves one
   * build of the program, so the position in this table is stable between its ends.
   */
  public int failureCode() {
    return ordinal();
  }

  /** The code a {@link #failureCode()} stands for; empty for a failure code not made by one. */
  public static Optional<ErrorCode> ofFailureCode(int failureCode) {
    return failureCode >= 0 && failureCode < ALL.length ? Optional.of(ALL[failureCode]) : Optional.empty();
  }

  /**
   * The code for a bare HTTP status that Vert.x Web set (an unknown route, a body over the
   * limit, a refused CORS origin), else {@code invalid_request} for other client errors and
   * {@code internal_error} for server ones.
   */
  public static ErrorCode ofHttpStatus(int status) {
    return FOR_BARE_STATUS.stream().filter(code -> code.httpStatus == status).findFirst()
        .orElse(status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST);
  }
}
