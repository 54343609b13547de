package dev.bubblesandbox.cli.repl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A MIME bundle as the repl prints it, and the images it saves. */
class BundleTextTest {

  @TempDir Path work;

  private final List<Path> handedOver = new ArrayList<>();

  private BundleText text() {
    return new BundleText(work, handedOver::add);
  }

  @Test
  @DisplayName("text/plain is printed as it is, without its last newline")
  void plain() {
    assertThat(text().render(Map.of("text/plain", "42\n", "text/html", "<b>42</b>"), 1)).isEqualTo("42");
  }

  @Test
  @DisplayName("without text/plain: markdown, then LaTeX, then JSON as indented JSON")
  void otherTextForms() {
    assertThat(text().render(Map.of("text/markdown", "# T", "text/latex", "$x$"), 1)).isEqualTo("# T");
    assertThat(text().render(Map.of("text/latex", "$x$"), 1)).isEqualTo("$x$");
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("a", List.of(1, 2));
    assertThat(text().render(Map.of("application/json", json), 1))
        .contains("\"a\"").contains("1").contains("\n");
  }

  @Test
  @DisplayName("HTML alone is a one-line note")
  void html() {
    assertThat(text().render(Map.of("text/html", "<table></table>"), 1))
        .isEqualTo("<text/html: 15 characters, not shown in a terminal>");
  }

  @Test
  @DisplayName("a PNG is saved as .results/out-N.png (then out-N-2.png) and handed to the sandbox uid")
  void png() throws Exception {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
    String data = Base64.getEncoder().encodeToString(png);
    BundleText text = text();
    String first = text.render(Map.of("image/png", data, "text/plain", "<Figure>"), 3);
    String second = text.render(Map.of("image/png", data), 3);
    Path out = work.resolve(".results/out-3.png");
    assertThat(first).isEqualTo("<image/png: 7 bytes saved to " + out + ">");
    assertThat(second).endsWith("out-3-2.png>");
    assertThat(Files.readAllBytes(out)).isEqualTo(png);
    assertThat(handedOver).containsExactly(work.resolve(".results"), out,
        work.resolve(".results/out-3-2.png"));
  }

  @Test
  @DisplayName("a value the kernel wrote to a file is shown by its host path")
  void spilled() {
    Map<String, Object> file = Map.of("file", ".results/4-1.png", "mime", "image/png", "bytes", 5_000_000);
    assertThat(text().render(Map.of("image/png", file), 4))
        .isEqualTo("<image/png: 5000000 bytes in " + work.resolve(".results/4-1.png") + ">");
    Map<String, Object> big = Map.of("file", ".results/4-2.txt", "mime", "text/plain", "bytes", 9);
    assertThat(text().render(Map.of("text/plain", big), 4))
        .isEqualTo("<text/plain: 9 bytes in " + work.resolve(".results/4-2.txt") + ">");
  }

  @Test
  @DisplayName("an image that is not base64 is said so, and nothing is written")
  void badImage() {
    assertThat(text().render(Map.of("image/png", "not base64!"), 1)).isEqualTo("<image/png: not base64>");
    assertThat(work.resolve(".results")).doesNotExist();
  }
}
