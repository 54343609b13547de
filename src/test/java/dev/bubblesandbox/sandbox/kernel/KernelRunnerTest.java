package dev.bubblesandbox.sandbox.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kernel_runner.py run by the host's plain Python 3 (no IPython: the standard-library path),
 * outside any sandbox, its events read and checked as {@link SessionKernel} reads them.
 */
@Timeout(60) // a runner that stops answering fails its test instead of hanging the build
class KernelRunnerTest {

  private static final String PYTHON = "/usr/bin/python3";

  @TempDir
  Path work;

  private Process runner;
  private KernelProtocol.Lines lines;
  private long maxInline;

  @AfterEach
  void stop() throws InterruptedException {
    if (runner != null) {
      runner.destroyForcibly();
      runner.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void start(long maxInlineResultBytes) throws IOException, KernelProtocol.Violation {
    maxInline = maxInlineResultBytes;
    String source;
    try (InputStream in = SessionKernel.class.getResourceAsStream("kernel_runner.py")) {
      source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    ProcessBuilder builder = new ProcessBuilder(PYTHON, "-c", source, Long.toString(maxInlineResultBytes))
        .directory(work.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
    runner = builder.start();
    lines = new KernelProtocol.Lines(runner.getInputStream(), KernelProtocol.maxLineBytes(maxInlineResultBytes));
    KernelEvent ready = next();
    assertThat(ready.type()).isEqualTo(KernelEvent.Type.READY);
    assertThat(ready.ipython()).isFalse();
  }

  private KernelEvent next() throws IOException, KernelProtocol.Violation {
    String line = lines.next();
    assertThat(line).as("the runner's next event").isNotNull();
    return KernelProtocol.parse(line);
  }

  private void send(String line) throws IOException {
    OutputStream in = runner.getOutputStream();
    in.write(line.getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Runs {@code code} and returns its events up to and with {@code done}, streams joined per run. */
  private List<KernelEvent> execute(String code, String stdin) throws Exception {
    send(KernelProtocol.execute(code, stdin));
    List<KernelEvent> events = new ArrayList<>();
    while (true) {
      KernelEvent event = next();
      int last = events.size() - 1;
      if (event.type() == KernelEvent.Type.STREAM && last >= 0 && events.get(last).type() == KernelEvent.Type.STREAM
          && events.get(last).stderr() == event.stderr()) {
        events.set(last, KernelEvent.stream(event.stderr(), events.get(last).text() + event.text()));
      } else {
        events.add(event);
      }
      if (event.type() == KernelEvent.Type.DONE) {
        return events;
      }
    }
  }

  @Test
  @DisplayName("output of print, of C code and of child processes comes in order, before the result")
  void ordersOutput() throws Exception {
    start(1 << 20);
    List<KernelEvent> events = execute("""
        import os, sys
        print('one')
        os.write(1, b'two\\n')
        os.system('echo three')
        print('err', file=sys.stderr)
        x = 41
        x + 1
        """, null);
    // Each stream keeps its order, whatever wrote to it (Python, the descriptor, a child); the
    // two streams are two pipes, so how their chunks interleave is timing. All come before the result.
    List<KernelEvent> output = events.subList(0, events.size() - 2);
    assertThat(output).allMatch(event -> event.type() == KernelEvent.Type.STREAM);
    assertThat(output.stream().filter(event -> !event.stderr()).map(KernelEvent::text)
        .collect(java.util.stream.Collectors.joining())).isEqualTo("one\ntwo\nthree\n");
    assertThat(output.stream().filter(KernelEvent::stderr).map(KernelEvent::text)
        .collect(java.util.stream.Collectors.joining())).isEqualTo("err\n");
    assertThat(events.get(events.size() - 2).bundle()).containsEntry("text/plain", "42");
    assertThat(events.get(events.size() - 1).executionCount()).isEqualTo(1);
    assertThat(execute("x", null).get(0).bundle()).containsEntry("text/plain", "41");
  }

  @Test
  @DisplayName("stdin is the execution's own, fd 0 is /dev/null")
  void stdin() throws Exception {
    start(1 << 20);
    List<KernelEvent> events = execute("import os\n(input(), os.read(0, 10))", "typed\n");
    assertThat(events.get(0).bundle()).containsEntry("text/plain", "('typed', b'')");
  }

  @Test
  @DisplayName("an error names <cell> lines and no frame of the runner; a syntax error points at its line")
  void errors() throws Exception {
    start(1 << 20);
    KernelError error = execute("def f():\n    raise ValueError('bad')\n\nf()", null).get(0).error();
    assertThat(error.name()).isEqualTo("ValueError");
    assertThat(error.value()).isEqualTo("bad");
    assertThat(error.traceback()).containsSubsequence("Traceback (most recent call last):",
        "  File \"<cell>\", line 4, in <module>", "  File \"<cell>\", line 2, in f", "ValueError: bad");
    assertThat(String.join("\n", error.traceback())).doesNotContain("<string>").doesNotContain("kernel_runner");
    KernelError syntax = execute("x = 1\ny = (", null).get(0).error();
    assertThat(syntax.name()).isEqualTo("SyntaxError");
    assertThat(syntax.traceback()).anyMatch(line -> line.contains("<cell>\", line 2"));
  }

  @Test
  @DisplayName("display() and _repr_*_ methods make MIME bundles; a value too large goes to .results/")
  void bundlesAndSpill() throws Exception {
    start(1000);
    List<KernelEvent> events = execute("""
        class Rich:
            def _repr_markdown_(self): return '*md*'
            def _repr_json_(self): return {'a': [1, 2]}
            def _repr_latex_(self): return '$x$'
            def _repr_svg_(self): return '<svg/>'
            def __repr__(self): return 'Rich()'
        display(Rich())
        'z' * 5000
        """, null);
    assertThat(events.get(0).bundle()).containsEntry("text/markdown", "*md*").containsEntry("text/latex", "$x$")
        .containsEntry("image/svg+xml", "<svg/>").containsEntry("application/json", Map.of("a", List.of(1, 2)));
    Map<String, Object> spilled = events.get(1).bundle();
    @SuppressWarnings("unchecked")
    Map<String, Object> file = (Map<String, Object>) spilled.get("text/plain");
    assertThat(file).containsEntry("mime", "text/plain").containsEntry("bytes", 5002);
    assertThat(Files.readString(work.resolve((String) file.get("file")))).isEqualTo("'" + "z".repeat(5000) + "'");
  }

  @Test
  @DisplayName("hostile output stays within the line bound: control characters, huge messages")
  void linesStayBounded() throws Exception {
    start(1000);
    List<KernelEvent> events = execute("import sys\nsys.stdout.write('\\x00' * 200000)\nraise ValueError('\\x01' * 100000)",
        null);
    assertThat(events.get(0).text()).hasSize(200000);
    assertThat(events.get(1).error().value().length()).isLessThan(1000);
    assertThat(KernelProtocol.maxLineBytes(maxInline)).isLessThan(70_000);
  }

  @Test
  @DisplayName("an interrupt raises KeyboardInterrupt out of time.sleep; between executions it is ignored")
  void interrupts() throws Exception {
    start(1 << 20);
    send(KernelProtocol.INTERRUPT);
    // One line: the interrupt may land in the print, after its output went, or in the sleep.
    send(KernelProtocol.execute("import time\nprint('sleeping', flush=True); time.sleep(100)", null));
    assertThat(next().text()).startsWith("sleeping");
    send(KernelProtocol.INTERRUPT);
    KernelEvent event;
    do {
      event = next();
    } while (event.type() == KernelEvent.Type.STREAM);
    assertThat(event.error().name()).isEqualTo("KeyboardInterrupt");
    assertThat(event.error().traceback()).anyMatch(line -> line.contains("<cell>\", line 2"));
    assertThat(next().type()).isEqualTo(KernelEvent.Type.DONE);
  }

  @Test
  @DisplayName("an interrupt reaches an execution that was queued behind another")
  void interruptsQueuedExecution() throws Exception {
    start(1 << 20);
    send(KernelProtocol.execute("x = 1", null));
    // Without the interrupt it ends by itself after a minute, with no error.
    send(KernelProtocol.execute("import time\nprint('go', flush=True)\nfor _ in range(600):\n    time.sleep(0.1)", null));
    assertThat(next().type()).isEqualTo(KernelEvent.Type.DONE);
    assertThat(next().text()).startsWith("go");
    send(KernelProtocol.INTERRUPT);
    KernelEvent event;
    do {
      event = next();
    } while (event.type() == KernelEvent.Type.STREAM);
    assertThat(event.type()).isEqualTo(KernelEvent.Type.ERROR);
    assertThat(event.error().name()).isEqualTo("KeyboardInterrupt");
  }

  @Test
  @DisplayName("shutdown ends the runner")
  void shutdown() throws Exception {
    start(1 << 20);
    send(KernelProtocol.SHUTDOWN);
    assertThat(runner.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(runner.exitValue()).isZero();
  }
}
