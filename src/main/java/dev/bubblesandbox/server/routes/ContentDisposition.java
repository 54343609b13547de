package dev.bubblesandbox.server.routes;

import java.nio.charset.StandardCharsets;

/**
 * The {@code Content-Disposition: attachment} header of a download, with the file's name as
 * RFC 6266 gives it: {@code filename="..."} for every client, ASCII only, and, when the name is
 * anything else, {@code filename*=UTF-8''...} percent-encoded (RFC 8187), which clients that know
 * it prefer. Sandboxed code chose the name: no quote, backslash, CR or LF reaches the header.
 */
final class ContentDisposition {

  private ContentDisposition() {}

  static String attachment(String fileName) {
    String fallback = asciiFallback(fileName);
    if (fallback.equals(fileName)) {
      return "attachment; filename=\"" + fileName + "\"";
    }
    return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + percentEncoded(fileName);
  }

  /**
   * The name with every character a quoted string cannot carry safely replaced by {@code _}:
   * non-ASCII, controls, {@code "} and {@code \}, and {@code %}, which some browsers decode in
   * {@code filename} (RFC 6266 appendix D).
   */
  private static String asciiFallback(String fileName) {
    StringBuilder fallback = new StringBuilder(fileName.length());
    fileName.codePoints().forEach(c -> fallback.append(
        c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%' ? (char) c : '_'));
    return fallback.toString();
  }

  /** RFC 8187 value characters: {@code attr-char} as is, every other UTF-8 byte as {@code %XX}. */
  private static String percentEncoded(String fileName) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : fileName.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (isAttrChar(c)) {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return encoded.toString();
  }

  private static boolean isAttrChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || "!#$&+-.^_`|~".indexOf(c) >= 0;
  }
}
