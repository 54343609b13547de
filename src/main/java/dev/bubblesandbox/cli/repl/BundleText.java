package dev.bubblesandbox.cli.repl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A kernel's MIME bundle as a terminal shows it: the text of its richest text form (text/plain,
 * else markdown, LaTeX or JSON source), HTML as a one-line note, and images saved into the work
 * directory ({@code .results/out-N.png}) with their host path, or the path where the kernel
 * already wrote a value too large to send inline.
 */
final class BundleText {

  private static final String PLAIN = "text/plain";
  private static final String HTML = "text/html";
  private static final List<String> TEXT_FORMS =
      List.of(PLAIN, "text/markdown", "text/latex", "application/json");
  private static final List<Map.Entry<String, String>> IMAGES =
      List.of(Map.entry("image/png", "png"), Map.entry("image/svg+xml", "svg"));
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path workDir;
  private final Consumer<Path> handOver;
  /** How many images each execution saved, for the names of the second and later ones. */
  private final Map<Integer, Integer> saved = new HashMap<>();

  /**
   * @param workDir the host directory bound at {@code /sandbox/work}
   * @param handOver gives what this class creates there to the sandbox uid, so that the kernel
   *     can still write {@code .results/}
   */
  BundleText(Path workDir, Consumer<Path> handOver) {
    this.workDir = workDir;
    this.handOver = handOver;
  }

  /** The text for {@code bundle} of execution {@code count}, without a final newline. */
  String render(Map<String, Object> bundle, int count) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, String> image : IMAGES) {
      Object value = bundle.get(image.getKey());
      if (value != null) {
        parts.add("<" + image.getKey() + ": " + imagePath(value, image.getValue(), count) + ">");
      }
    }
    if (!parts.isEmpty()) {
      // an image's text/plain is only its repr ("<Figure size 640x480 with 1 Axes>")
      return String.join("\n", parts);
    }
    for (String form : TEXT_FORMS) {
      if (bundle.containsKey(form)) {
        return text(form, bundle.get(form));
      }
    }
    if (bundle.get(HTML) instanceof String html) {
      return "<text/html: " + html.length() + " characters, not shown in a terminal>";
    }
    if (bundle.containsKey(HTML)) {
      return "<text/html: " + spilled(bundle.get(HTML)) + ">";
    }
    return "<" + String.join(", ", bundle.keySet()) + ": no text form>";
  }

  private String text(String form, Object value) {
    if (isSpilled(value)) {
      return "<" + form + ": " + spilled(value) + ">";
    }
    if (value instanceof String string && !form.equals("application/json")) {
      return string.endsWith("\n") ? string.substring(0, string.length() - 1) : string;
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      return String.valueOf(value);
    }
  }

  private String imagePath(Object value, String extension, int count) {
    if (isSpilled(value)) {
      return spilled(value);
    }
    if (!(value instanceof String data)) {
      return "not an image";
    }
    byte[] bytes;
    try {
      bytes = extension.equals("png")
          ? Base64.getMimeDecoder().decode(data) : data.getBytes(StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "not base64";
    }
    int n = saved.merge(count, 1, Integer::sum);
    Path file = workDir.resolve(".results")
        .resolve("out-" + count + (n == 1 ? "" : "-" + n) + "." + extension);
    try {
      Path results = file.getParent();
      if (!Files.isDirectory(results)) {
        Files.createDirectories(results);
        handOver.accept(results);
      }
      Files.write(file, bytes);
      handOver.accept(file);
    } catch (IOException | UncheckedIOException e) {
      return "not saved: " + e.getMessage();
    }
    return bytes.length + " bytes saved to " + file;
  }

  /** A value the kernel wrote to a file: {@code {"file": ".results/...", "mime", "bytes"}}. */
  private static boolean isSpilled(Object value) {
    return value instanceof Map<?, ?> map && map.get("file") instanceof String
        && map.containsKey("bytes") && map.containsKey("mime");
  }

  private String spilled(Object value) {
    Map<?, ?> map = (Map<?, ?>) value;
    return map.get("bytes") + " bytes in " + workDir.resolve((String) map.get("file")).normalize();
  }
}
