package dev.bubblesandbox.sandbox.output;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the first {@code maxBytes} of one stream and decodes them as UTF-8 incrementally, so a
 * character split across two reads is streamed whole. Bytes past the cap are counted, not kept.
 */
public final class OutputCapture {

  private final long maxBytes;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private ByteBuffer pending = ByteBuffer.allocate(0);
  private boolean truncated;

  public OutputCapture(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Takes {@code length} bytes just read; returns the text to stream now (maybe empty). */
  String accept(byte[] buffer, int length) {
    int room = (int) Math.min(length, maxBytes - kept.size());
    if (room < length) {
      truncated = true;
    }
    if (room <= 0) {
      return "";
    }
    kept.write(buffer, 0, room);
    ByteBuffer in = ByteBuffer.allocate(pending.remaining() + room);
    in.put(pending).put(buffer, 0, room).flip();
    CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
    decoder.decode(in, out, false);
    pending = in.slice();
    return out.flip().toString();
  }

  /** Decodes what is left at end of stream (an incomplete character becomes U+FFFD). */
  String finish() {
    CharBuffer out = CharBuffer.allocate(pending.remaining() + 2);
    decoder.decode(pending, out, true);
    decoder.flush(out);
    pending = ByteBuffer.allocate(0);
    return out.flip().toString();
  }

  String text() {
    return kept.toString(StandardCharsets.UTF_8);
  }

  boolean truncated() {
    return truncated;
  }
}
