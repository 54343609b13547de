package dev.bubblesandbox.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.ErrorCode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The console's frames (SPEC §5), built without a socket. */
class ConsoleFramesTest {

  @Test
  @DisplayName("A message's id is a string or a number, read as a string; anything else is none")
  void ids() {
    assertThat(ConsoleFrames.idOf(new JsonObject().put("id", "a1"))).isEqualTo("a1");
    assertThat(ConsoleFrames.idOf(new JsonObject().put("id", 7))).isEqualTo("7");
    assertThat(ConsoleFrames.idOf(new JsonObject().put("id", true))).isNull();
    assertThat(ConsoleFrames.idOf(new JsonObject())).isNull();
  }

  @Test
  @DisplayName("An error frame carries the code's name, and the id only when the message had one")
  void errors() {
    JsonObject answered = ConsoleFrames.error("m1", ErrorCode.NO_EXECUTION, "Nothing is running.");
    assertThat(answered.getString("type")).isEqualTo("error");
    assertThat(answered.getString("code")).isEqualTo(ErrorCode.NO_EXECUTION.code());
    assertThat(answered.getString("id")).isEqualTo("m1");
    assertThat(ConsoleFrames.error(null, ErrorCode.INVALID_JSON, "x").containsKey("id")).isFalse();
  }

  @Test
  @DisplayName("The session and started frames name what they announce")
  void announcements() {
    assertThat(ConsoleFrames.session("s1")).isEqualTo(
        new JsonObject().put("type", "session").put("session_id", "s1"));
    assertThat(ConsoleFrames.started("e1")).isEqualTo(new JsonObject().put("type", "started").put("id", "e1"));
  }
}
