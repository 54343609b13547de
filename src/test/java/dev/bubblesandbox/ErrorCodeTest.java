package dev.bubblesandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.config.InvalidSettingException;
import dev.bubblesandbox.environment.EnvironmentNotReadyException;
import dev.bubblesandbox.environment.EnvironmentSyncException;
import dev.bubblesandbox.environment.InvalidEnvironmentNameException;
import dev.bubblesandbox.environment.UnknownEnvironmentException;
import dev.bubblesandbox.sandbox.InvalidLaunchException;
import dev.bubblesandbox.session.SessionBusyException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The error vocabulary: one table of codes, statuses and exit statuses. No bwrap, no server. */
class ErrorCodeTest {

  /** The statuses the server answered each code with before the table existed: kept as they were. */
  private static final Map<String, Integer> STATUSES_BEFORE = Map.ofEntries(
      Map.entry("invalid_request", 400), Map.entry("invalid_json", 400), Map.entry("invalid_path", 400),
      Map.entry("invalid_environment_name", 400), Map.entry("unauthorized", 401),
      Map.entry("persistence_disabled", 403), Map.entry("origin_not_allowed", 403),
      Map.entry("unknown_environment", 404), Map.entry("session_not_found", 404),
      Map.entry("file_not_found", 404), Map.entry("not_found", 404), Map.entry("method_not_allowed", 405),
      Map.entry("session_busy", 409), Map.entry("session_conflict", 409), Map.entry("payload_too_large", 413),
      Map.entry("unsupported_extension", 415), Map.entry("capacity_exhausted", 503),
      Map.entry("environment_not_ready", 503), Map.entry("sandbox_unavailable", 503),
      Map.entry("invalid_setting", 500), Map.entry("environment_sync_failed", 500),
      Map.entry("internal_error", 500));

  @Test
  @DisplayName("Codes are unique snake_case names, each with one HTTP error status, one exit status and a sentence")
  void everyCodeIsComplete() {
    Set<String> seen = new HashSet<>();
    Set<Integer> exitStatuses = Set.of(ExitStatus.USAGE_ERROR, ExitStatus.ENVIRONMENT_NOT_READY,
        ExitStatus.ENVIRONMENT_SYNC_FAILED, ExitStatus.SANDBOX_UNAVAILABLE, ExitStatus.INTERNAL_ERROR);
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(seen.add(code.code())).as("duplicate %s", code.code()).isTrue();
      assertThat(code.code()).as(code.name()).matches("[a-z]+(_[a-z]+)*").isEqualTo(code.name().toLowerCase());
      assertThat(code.httpStatus()).as(code.code()).isBetween(400, 599);
      assertThat(code.exitStatus()).as(code.code()).isIn(exitStatuses);
      assertThat(code.defaultMessage()).as(code.code()).isNotBlank().endsWith(".").doesNotContain("/");
    }
    assertThat(exitStatuses).hasSize(5);
  }

  @Test
  @DisplayName("Every code keeps the HTTP status it had before the table")
  void statusesUnchanged() {
    STATUSES_BEFORE.forEach((code, status) -> assertThat(Arrays.stream(ErrorCode.values())
        .filter(c -> c.code().equals(code)).findFirst()).as(code).hasValueSatisfying(
            c -> assertThat(c.httpStatus()).as(code).isEqualTo(status)));
  }

  @Test
  @DisplayName("Exit statuses: 125 for usage and configuration, 124 not ready, 123 sync failed, 122 no sandbox")
  void exitStatuses() {
    assertThat(ExitStatus.USAGE_ERROR).isEqualTo(125);
    for (ErrorCode code : ErrorCode.values()) {
      int expected = switch (code) {
        case ENVIRONMENT_NOT_READY -> 124;
        case ENVIRONMENT_SYNC_FAILED -> 123;
        case SANDBOX_UNAVAILABLE, CAPACITY_EXHAUSTED, SESSION_UNAVAILABLE, TENANT_LIMIT_REACHED -> 122;
        case INTERNAL_ERROR -> 1;
        default -> 125;
      };
      assertThat(code.exitStatus()).as(code.code()).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("Bare statuses set by Vert.x Web get the codes they always had")
  void bareStatuses() {
    Map<Integer, String> expected = Map.of(400, "invalid_request", 403, "origin_not_allowed", 404, "not_found",
        405, "method_not_allowed", 413, "payload_too_large", 414, "uri_too_long", 415, "unsupported_media_type",
        431, "headers_too_large", 408, "invalid_request", 502, "internal_error");
    expected.forEach((status, code) -> assertThat(ErrorCode.ofHttpStatus(status).code()).as("%s", status).isEqualTo(code));
  }

  @Test
  @DisplayName("Each code survives as an event-bus failure code; other failure codes stand for none")
  void failureCodes() {
    Set<Integer> seen = new HashSet<>();
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(seen.add(code.failureCode())).isTrue();
      assertThat(ErrorCode.ofFailureCode(code.failureCode())).contains(code);
    }
    assertThat(ErrorCode.ofFailureCode(-1)).isEmpty();
    assertThat(ErrorCode.ofFailureCode(ErrorCode.values().length)).isEmpty();
  }

  @Test
  @DisplayName("The exceptions carry their codes; those naming host paths give clients a plain sentence")
  void exceptionsCarryCodes() {
    Map<BubbleSandboxException, ErrorCode> expected = Map.of(
        new InvalidSettingException("x"), ErrorCode.INVALID_SETTING,
        new EnvironmentNotReadyException("x"), ErrorCode.ENVIRONMENT_NOT_READY,
        new EnvironmentSyncException("x"), ErrorCode.ENVIRONMENT_SYNC_FAILED,
        new InvalidEnvironmentNameException("x"), ErrorCode.INVALID_ENVIRONMENT_NAME,
        new UnknownEnvironmentException("x"), ErrorCode.UNKNOWN_ENVIRONMENT,
        new InvalidLaunchException("x"), ErrorCode.INVALID_REQUEST,
        new SandboxUnavailableException("x"), ErrorCode.SANDBOX_UNAVAILABLE,
        new SessionBusyException("s1"), ErrorCode.SESSION_BUSY,
        new RefusedException(ErrorCode.FILE_NOT_FOUND, "x"), ErrorCode.FILE_NOT_FOUND);
    expected.forEach((exception, code) -> assertThat(exception.code()).isEqualTo(code));
    assertThat(new UnknownEnvironmentException("No environment 'x'.").clientMessage()).isEqualTo("No environment 'x'.");
    assertThat(new SandboxUnavailableException("/usr/bin/bwrap failed").clientMessage())
        .isEqualTo(ErrorCode.SANDBOX_UNAVAILABLE.defaultMessage());
    assertThat(new InvalidLaunchException("Work directory /srv/ws/s1 does not exist.").clientMessage())
        .doesNotContain("/srv");
  }

  @Test
  @DisplayName("session_busy is one exception with one message, naming the session")
  void sessionBusy() {
    assertThat(new SessionBusyException("s1").getMessage())
        .isEqualTo("Session 's1' is already running something; wait for it to end.");
  }
}
