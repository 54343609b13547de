package dev.bubblesandbox.server.routes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The download header for every kind of name sandboxed code can choose. */
class ContentDispositionTest {

  @Test
  @DisplayName("A plain ASCII name is given as filename alone")
  void plainName() {
    assertThat(ContentDisposition.attachment("plot-1_final.v2.png")).isEqualTo("attachment; filename=\"plot-1_final.v2.png\"");
    assertThat(ContentDisposition.attachment("with space.csv")).isEqualTo("attachment; filename=\"with space.csv\"");
  }

  @Test
  @DisplayName("Non-ASCII names get an ASCII filename and the UTF-8 name as filename*")
  void nonAsciiName() {
    assertThat(ContentDisposition.attachment("données.csv"))
        .isEqualTo("attachment; filename=\"donn_es.csv\"; filename*=UTF-8''donn%C3%A9es.csv");
    assertThat(ContentDisposition.attachment("数据.txt"))
        .isEqualTo("attachment; filename=\"__.txt\"; filename*=UTF-8''%E6%95%B0%E6%8D%AE.txt");
    // One replacement character per code point, four UTF-8 bytes for one outside the BMP.
    assertThat(ContentDisposition.attachment("\uD83D\uDCC8.png"))
        .isEqualTo("attachment; filename=\"_.png\"; filename*=UTF-8''%F0%9F%93%88.png");
  }

  @Test
  @DisplayName("Quotes, backslashes, percent signs, CR, LF and other controls never reach the header as they are")
  void hostileNames() {
    String header = ContentDisposition.attachment("a\"b\\c%41\r\nSet-Cookie: x=1\t.txt");
    assertThat(header).isEqualTo("attachment; filename=\"a_b_c_41__Set-Cookie: x=1_.txt\"; "
        + "filename*=UTF-8''a%22b%5Cc%2541%0D%0ASet-Cookie%3A%20x%3D1%09.txt");
    assertThat(header).doesNotContain("\r").doesNotContain("\n").doesNotContain("\t");
    assertThat(header.chars().filter(c -> c == '"').count()).isEqualTo(2);
    assertThat(header.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
  }
}
