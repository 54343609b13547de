package dev.bubblesandbox.sandbox.kernel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runner's line-delimited JSON (docs/kernels.md): the command lines sent to it and the
 * parsing of its event lines. The user's code runs in the runner's process and can write any
 * bytes there, so every line is bounded and checked; whatever is not a well-formed event is a
 * {@link Violation}, which ends the kernel.
 */
final class KernelProtocol {

  static final String INTERRUPT = "{\"type\":\"interrupt\"}\n";
  static final String SHUTDOWN = "{\"type\":\"shutdown\"}\n";

  /** Nesting deeper than a MIME bundle's JSON value needs is refused (Jackson's default is 1000). */
  private static final int MAX_DEPTH = 200;

  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build());

  private KernelProtocol() {}

  /** A line the runner wrote that breaks the protocol. */
  static final class Violation extends Exception {
    private static final long serialVersionUID = 1L;

    Violation(String message) {
      super(message);
    }
  }

  /** The line that runs {@code code} with {@code stdin} (null: none). */
  static String execute(String code, String stdin) {
    Map<String, Object> command = new LinkedHashMap<>();
    command.put("type", "execute");
    command.put("code", code);
    command.put("stdin", stdin);
    try {
      return JSON.writeValueAsString(command) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("strings always serialize", e);
    }
  }

  /** The longest event line allowed for a runner started with {@code maxInlineResultBytes}. */
  static long maxLineBytes(long maxInlineResultBytes) {
    return 2 * maxInlineResultBytes + 64 * 1024;
  }

  /**
   * Reads lines of at most {@code maxBytes} bytes (without the newline) from a stream; a longer
   * one is a {@link Violation}, found without holding more than the bound.
   */
  static final class Lines {
    private final InputStream in;
    private final long maxBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int position;
    private int limit;

    Lines(InputStream in, long maxBytes) {
      this.in = in;
      this.maxBytes = maxBytes;
    }

    /** The next line, decoded as UTF-8, or null at end of stream (a partial last line is dropped). */
    String next() throws IOException, Violation {
      while (true) {
        if (position == limit) {
          limit = in.read(buffer);
          position = 0;
          if (limit <= 0) {
            limit = 0;
            return null;
          }
        }
        int start = position;
        while (position < limit && buffer[position] != '\n') {
          position++;
        }
        if (line.size() + (long) (position - start) > maxBytes) {
          throw new Violation("an event line is longer than " + maxBytes + " bytes");
        }
        line.write(buffer, start, position - start);
        if (position < limit) {
          position++; // the newline
          String text = line.toString(StandardCharsets.UTF_8);
          line.reset();
          return text;
        }
      }
    }
  }

  /** The event of one line. */
  static KernelEvent parse(String line) throws Violation {
    return event(line).sized(line.length());
  }

  private static KernelEvent event(String line) throws Violation {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException | RuntimeException e) {
      throw new Violation("an event line is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new Violation("an event line is not a JSON object");
    }
    String type = text(node, "type");
    switch (type) {
      case "ready":
        return KernelEvent.ready(node.path("ipython").asBoolean(false));
      case "stream": {
        String name = text(node, "name");
        if (!name.equals("stdout") && !name.equals("stderr")) {
          throw new Violation("a stream event names no stream");
        }
        return KernelEvent.stream(name.equals("stderr"), text(node, "text"));
      }
      case "display":
        return KernelEvent.bundle(KernelEvent.Type.DISPLAY, bundle(node));
      case "result":
        return KernelEvent.bundle(KernelEvent.Type.RESULT, bundle(node));
      case "error": {
        JsonNode traceback = node.path("traceback");
        if (!traceback.isArray()) {
          throw new Violation("an error event has no traceback");
        }
        List<String> lines = new ArrayList<>();
        for (JsonNode entry : traceback) {
          if (!entry.isTextual()) {
            throw new Violation("a traceback line is not a string");
          }
          lines.add(entry.asText());
        }
        return KernelEvent.error(new KernelError(text(node, "name"), text(node, "value"), lines));
      }
      case "done": {
        JsonNode count = node.path("execution_count");
        if (!count.canConvertToInt() || !count.isIntegralNumber() || count.intValue() < 0) {
          throw new Violation("a done event has no execution count");
        }
        return KernelEvent.done(count.intValue());
      }
      default:
        throw new Violation("an event of unknown type");
    }
  }

  private static String text(JsonNode node, String field) throws Violation {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new Violation("an event's \"" + field + "\" is not a string");
    }
    return value.asText();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> bundle(JsonNode node) throws Violation {
    JsonNode data = node.get("data");
    if (data == null || !data.isObject()) {
      throw new Violation("a bundle event has no data object");
    }
    return JSON.convertValue(data, LinkedHashMap.class);
  }
}
