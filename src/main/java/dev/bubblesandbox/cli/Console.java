package dev.bubblesandbox.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The process's stdout and stderr as UTF-8, whatever the locale: Java 17 encodes System.out in
 * the locale's charset, which is ASCII on a machine without LANG and would mangle output.
 */
final class Console {

  static final PrintStream OUT =
      new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
  static final PrintStream ERR =
      new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

  private Console() {}

  /** A full-width rule with a centred title, like {@code ──── title ────}. */
  static String rule(String title) {
    int width = terminalWidth();
    String text = " " + title + " ";
    if (text.length() > width - 8) {
      text = text.substring(0, Math.max(0, width - 10)) + "… ";
    }
    int left = Math.max(4, (width - text.length()) / 2);
    int right = Math.max(4, width - text.length() - left);
    return "─".repeat(left) + text + "─".repeat(right);
  }

  private static int terminalWidth() {
    try {
      return Math.max(40, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").trim()));
    } catch (NumberFormatException e) {
      return 80;
    }
  }
}
