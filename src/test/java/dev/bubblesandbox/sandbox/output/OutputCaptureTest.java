package dev.bubblesandbox.sandbox.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OutputCaptureTest {

  private static String accept(OutputCapture capture, byte... bytes) {
    return capture.accept(bytes, bytes.length);
  }

  @Test
  @DisplayName("a UTF-8 character split across two reads is streamed whole, once")
  void splitCharacter() {
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
    OutputCapture capture = new OutputCapture(1000);

    String first = accept(capture, (byte) 'a', euro[0]);
    String second = accept(capture, euro[1]);
    String third = accept(capture, euro[2], (byte) 'b');

    assertThat(first).isEqualTo("a");
    assertThat(second).isEmpty();
    assertThat(third).isEqualTo("€b");
    assertThat(capture.finish()).isEmpty();
    assertThat(capture.text()).isEqualTo("a€b");
    assertThat(capture.truncated()).isFalse();
  }

  @Test
  @DisplayName("only the length given is taken from the read buffer")
  void respectsLength() {
    OutputCapture capture = new OutputCapture(1000);
    byte[] buffer = "hello, garbage".getBytes(StandardCharsets.UTF_8);

    assertThat(capture.accept(buffer, 5)).isEqualTo("hello");
    assertThat(capture.text()).isEqualTo("hello");
  }

  @Test
  @DisplayName("output up to the cap is kept whole and not marked truncated")
  void exactlyAtCap() {
    OutputCapture capture = new OutputCapture(5);

    assertThat(accept(capture, "12345".getBytes(StandardCharsets.UTF_8))).isEqualTo("12345");
    assertThat(capture.truncated()).isFalse();
  }

  @Test
  @DisplayName("bytes past the cap are dropped, not streamed, and set truncated")
  void pastCap() {
    OutputCapture capture = new OutputCapture(5);

    String streamed = accept(capture, "1234567890".getBytes(StandardCharsets.UTF_8));
    String later = accept(capture, "more".getBytes(StandardCharsets.UTF_8));

    assertThat(streamed).isEqualTo("12345");
    assertThat(later).isEmpty();
    assertThat(capture.text()).isEqualTo("12345");
    assertThat(capture.truncated()).isTrue();
  }

  @Test
  @DisplayName("an incomplete character at end of stream becomes U+FFFD")
  void incompleteAtEnd() {
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
    OutputCapture capture = new OutputCapture(1000);

    assertThat(accept(capture, (byte) 'x', euro[0], euro[1])).isEqualTo("x");
    assertThat(capture.finish()).isEqualTo("\uFFFD");
  }
}
