package dev.bubblesandbox.cli.repl;

import java.util.List;
import java.util.Set;

/**
 * Whether typed Python is a whole input or needs more lines, as Python's own REPL decides it:
 * more while a bracket, a triple-quoted string or a backslash continuation is open, and after a
 * compound statement ({@code if x:}, {@code def f():}, a decorator) until an empty line. It only
 * scans brackets, strings and comments; what it lets through as complete the kernel compiles, and
 * a syntax error comes back from there.
 */
final class PythonInput {

  /** Statements that open a block even when their body is on the same line ({@code if x: y}). */
  private static final Set<String> COMPOUND = Set.of("if", "elif", "else", "for", "while", "def",
      "class", "with", "try", "except", "finally", "async");

  private PythonInput() {}

  /** True when {@code source} needs more lines before it can run. */
  static boolean needsMore(String source) {
    Scan scan = new Scan();
    List<String> lines = source.lines().toList();
    if (source.endsWith("\n")) {
      // lines() drops a last empty line, which is the one that ends a block
      lines = new java.util.ArrayList<>(lines);
      lines.add("");
    }
    boolean block = false;
    boolean logicalStart = true;
    for (String line : lines) {
      boolean startsLogical = logicalStart;
      String code = scan.line(line);
      logicalStart = scan.depth == 0 && scan.quote == null && !scan.backslash;
      if (startsLogical && opensBlock(code)) {
        block = true;
      }
      if (logicalStart && code.stripTrailing().endsWith(":")) {
        block = true;
      }
    }
    if (scan.quote != null || scan.depth > 0 || scan.backslash) {
      return true;
    }
    return block && !lines.isEmpty() && !lines.get(lines.size() - 1).isBlank();
  }

  private static boolean opensBlock(String code) {
    String stripped = code.strip();
    if (stripped.startsWith("@")) {
      return true;
    }
    int end = 0;
    while (end < stripped.length() && Character.isJavaIdentifierPart(stripped.charAt(end))) {
      end++;
    }
    return COMPOUND.contains(stripped.substring(0, end)) && stripped.contains(":");
  }

  /** The state carried from one physical line to the next. */
  private static final class Scan {
    int depth;
    /** The open string's quote ({@code '}, {@code "}, {@code '''} or {@code """}), or null. */
    String quote;
    boolean backslash;

    /** Scans {@code line}; returns its code with strings blanked and the comment cut. */
    String line(String line) {
      StringBuilder code = new StringBuilder();
      backslash = false;
      int i = 0;
      while (i < line.length()) {
        char c = line.charAt(i);
        if (quote != null) {
          if (c == '\\') {
            i += 2;
            continue;
          }
          if (line.startsWith(quote, i)) {
            i += quote.length();
            quote = null;
            code.append("''");
            continue;
          }
          i++;
          continue;
        }
        if (c == '#') {
          break;
        }
        if (c == '\'' || c == '"') {
          String triple = String.valueOf(c).repeat(3);
          quote = line.startsWith(triple, i) ? triple : String.valueOf(c);
          i += quote.length();
          continue;
        }
        if (c == '\\' && i == line.length() - 1) {
          backslash = true;
          break;
        }
        if (c == '(' || c == '[' || c == '{') {
          depth++;
        } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
          depth--;
        }
        code.append(c);
        i++;
      }
      if (quote != null && quote.length() == 1 && !line.endsWith("\\")) {
        // an unterminated one-line string ends with its line: Python reports it
        quote = null;
      }
      return code.toString();
    }
  }
}
