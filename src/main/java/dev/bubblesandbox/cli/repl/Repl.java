package dev.bubblesandbox.cli.repl;

import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.kernel.KernelError;
import dev.bubblesandbox.sandbox.kernel.KernelListener;
import dev.bubblesandbox.sandbox.kernel.KernelResult;
import dev.bubblesandbox.sandbox.kernel.KernelState;
import dev.bubblesandbox.sandbox.kernel.SessionKernel;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.jline.keymap.KeyMap;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingReader;

/**
 * The read-execute-print loop: {@code In [n]:} prompts, Python's multi-line rules, output
 * streamed as it comes, results as text, errors with their traceback, Ctrl-C and Ctrl-D.
 *
 * <p>Ctrl-C never becomes a signal while the repl runs (the terminal's ISIG is off): the kernel's
 * bwrap and setpriv are children in our process group, and a terminal's SIGINT would reach and
 * end them. The repl reads the key instead: at the prompt it clears the input; while code runs it
 * interrupts the kernel, whose Python raises KeyboardInterrupt and keeps its state.
 */
final class Repl {

  private static final int CTRL_C = 3;
  private static final String CANCEL_WIDGET = "bubble-sandbox-cancel";
  /** How often the loop looks at the execution while it waits for keys. */
  private static final long KEY_POLL_MILLIS = 100;

  private final Terminal terminal;
  private final LineReader reader;
  private final SessionKernel kernel;
  private final ExecutionLimits limits;
  private final BundleText bundles;
  private final ExecutorService executor;
  private final PrintWriter out;
  /** The execution count of the kernel's last answer; 0 before its first and after it ended. */
  private int lastCount;

  Repl(Terminal terminal, LineReader reader, SessionKernel kernel, ExecutionLimits limits,
      BundleText bundles, ExecutorService executor) {
    this.terminal = terminal;
    this.reader = reader;
    this.kernel = kernel;
    this.limits = limits;
    this.bundles = bundles;
    this.executor = executor;
    this.out = terminal.writer();
    reader.getWidgets().put(CANCEL_WIDGET, () -> {
      throw new UserInterruptException(reader.getBuffer().toString());
    });
    for (KeyMap<org.jline.reader.Binding> keys : reader.getKeyMaps().values()) {
      keys.bind(new Reference(CANCEL_WIDGET), KeyMap.ctrl('C'));
    }
  }

  /** Reads and runs inputs until Ctrl-D (or the end of input); returns the exit status, 0. */
  int run() {
    Attributes original = terminal.getAttributes();
    Attributes noSignals = new Attributes(original);
    noSignals.setLocalFlag(Attributes.LocalFlag.ISIG, false);
    terminal.setAttributes(noSignals);
    try {
      while (true) {
        int count = kernel.alive() ? lastCount + 1 : 1;
        String prompt = "In [" + count + "]: ";
        reader.setVariable(LineReader.SECONDARY_PROMPT_PATTERN,
            " ".repeat(Math.max(0, prompt.length() - 5)) + "...: ");
        String code;
        try {
          code = reader.readLine(prompt);
        } catch (UserInterruptException e) {
          continue;
        } catch (EndOfFileException e) {
          return 0;
        }
        if (!code.isBlank()) {
          run(code, count);
          out.println();
          out.flush();
        }
      }
    } finally {
      terminal.setAttributes(original);
    }
  }

  private void run(String code, int count) {
    KernelResult result;
    try {
      result = execute(code, count);
    } catch (RuntimeException e) {
      // the kernel could not run it at all (its sandbox did not start): say so, keep reading
      out.println("error: " + (e.getMessage() == null ? e : e.getMessage()));
      lastCount = 0;
      return;
    }
    lastCount = result.kernel() == KernelState.LOST ? 0 : result.executionCount();
    printEnd(result);
  }

  /**
   * Runs {@code code}, interrupting the kernel on each Ctrl-C until it answers. Other keys typed
   * meanwhile are kept for the next prompt, as a terminal keeps what is typed ahead.
   */
  private KernelResult execute(String code, int count) {
    CompletableFuture<KernelResult> running = CompletableFuture.supplyAsync(
        () -> kernel.execute(code, null, limits, listener(count)), executor);
    boolean keys = !terminal.getType().startsWith(Terminal.TYPE_DUMB);
    if (keys) {
      StringBuilder typedAhead = new StringBuilder();
      // no echo, no line buffering: a Ctrl-C is read as soon as it is typed
      Attributes before = terminal.enterRawMode();
      try {
        NonBlockingReader input = terminal.reader();
        while (!running.isDone()) {
          int key = input.read(KEY_POLL_MILLIS);
          if (key == CTRL_C) {
            kernel.interrupt();
          } else if (key >= 0) {
            typedAhead.append((char) key);
          } else if (key == NonBlockingReader.EOF) {
            break;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        terminal.setAttributes(before);
        if (typedAhead.length() > 0) {
          reader.runMacro(typedAhead.toString());
        }
      }
    }
    try {
      return running.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  private KernelListener listener(int count) {
    return new KernelListener() {
      @Override
      public void onOutput(Stream stream, String text) {
        out.print(text);
        out.flush();
      }

      @Override
      public void onDisplay(Map<String, Object> bundle) {
        out.println(bundles.render(bundle, count));
        out.flush();
      }

      @Override
      public void onResult(Map<String, Object> bundle) {
        String text = bundles.render(bundle, count);
        String prefix = "Out[" + count + "]: ";
        out.println(text.contains("\n") ? prefix + "\n" + text : prefix + text);
        out.flush();
      }
    };
  }

  /** The error, and what happened to the execution and the kernel. */
  private void printEnd(KernelResult result) {
    KernelError error = result.error();
    if (error != null) {
      List<String> traceback = error.traceback();
      out.println(traceback.isEmpty()
          ? error.name() + (error.value().isEmpty() ? "" : ": " + error.value())
          : String.join("\n", traceback).stripTrailing());
    }
    ExecutionResult execution = result.execution();
    if (execution.timedOut()) {
      out.println("<timed out after " + limits.timeout().toSeconds() + " s>");
    }
    if (execution.truncated()) {
      out.println("<output truncated at " + limits.maxOutputBytes() + " bytes>");
    }
    if (result.kernel() == KernelState.LOST) {
      out.println("<the kernel ended" + (execution.limit() == null ? "" : " (" + execution.limit()
          + " limit)") + ": its variables are gone; the next input starts a fresh Python>");
    }
  }

  /**
   * Python's continuation rules for JLine: Enter on an incomplete input adds a line instead of
   * accepting it ({@link EOFError} is JLine's signal for that).
   */
  static final class PythonParser implements Parser {

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
      if (context == ParseContext.ACCEPT_LINE && PythonInput.needsMore(line)) {
        throw new EOFError(-1, -1, "more input");
      }
      return new WholeLine(line, cursor);
    }

    /** The input as one word: the repl completes nothing. */
    private record WholeLine(String line, int cursor) implements CompletingParsedLine {
      @Override
      public String word() {
        return line;
      }

      @Override
      public int wordCursor() {
        return cursor;
      }

      @Override
      public int wordIndex() {
        return 0;
      }

      @Override
      public List<String> words() {
        return List.of(line);
      }

      @Override
      public CharSequence escape(CharSequence candidate, boolean complete) {
        return candidate;
      }

      @Override
      public int rawWordCursor() {
        return cursor;
      }

      @Override
      public int rawWordLength() {
        return line.length();
      }
    }
  }
}
