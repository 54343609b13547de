package dev.bubblesandbox.sandbox.warm;

import dev.bubblesandbox.environment.ReadyEnvironment;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.Program;
import dev.bubblesandbox.sandbox.Volume;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Python a warm sandbox starts with: it imports the environment's preload modules (with its
 * stdout and stderr pointed at {@code /dev/null} meanwhile, so that nothing they print reaches
 * the execution), writes {@link #READY} to stderr (read by the server before the execution's
 * output is: it never reaches the result), then blocks reading the code from {@link #CODE_FD}, a
 * private pipe (stdin stays the script's), until the server closes it, and then runs the code exactly as
 * {@link Program#PYTHON_READER} runs a cold script: same {@code exec} on the same line 3 (an
 * uncaught {@code KeyboardInterrupt} prints that frame), same handling of exceptions, nothing of
 * its own left in {@code __main__} or {@code sys.modules} (its helpers live in a dictionary that
 * is cleared before the code runs; {@code os} and {@code sys} are loaded by every Python start).
 * After a preload it freezes the garbage collector's objects ({@code gc.freeze()}, as fork
 * servers do): the preloaded modules' objects are then not traversed again, so that a process
 * that loaded pandas exits quickly; the script's own objects are collected as ever.
 */
final class WarmReader {

  /** The descriptor the code arrives on inside the sandbox: a pipe the launcher opens. */
  static final int CODE_FD = 6;

  /** The byte the bootstrap writes to stderr once it waits for the code. */
  static final int READY = 0;

  private static final Pattern MODULE_NAME =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

  /**
   * Imports the modules of {@code p}, each on its own (a failing one leaves none of the modules
   * it added), then reads the code to end-of-file and closes the pipe.
   */
  private static final String HELPER = "import os,sys\n"
      + "def r(p):\n"
      + " o=os.dup(1);e=os.dup(2);n=os.open('/dev/null',os.O_WRONLY)\n"
      + " os.dup2(n,1);os.dup2(n,2);os.close(n)\n"
      + " try:\n"
      + "  for m in p:\n"
      + "   b=set(sys.modules)\n"
      + "   try:__import__(m)\n"
      + "   except BaseException:\n"
      + "    for k in set(sys.modules)-b:del sys.modules[k]\n"
      + " finally:\n"
      + "  os.dup2(o,1);os.dup2(e,2);os.close(o);os.close(e)\n"
      + " if p:\n"
      + "  h='gc' in sys.modules;__import__('gc').freeze()\n"
      + "  if not h:del sys.modules['gc']\n"
      + " os.write(2,b'\\0')\n"
      + " d=[]\n"
      + " while True:\n"
      + "  x=os.read(" + CODE_FD + ",65536)\n"
      + "  if not x:break\n"
      + "  d.append(x)\n"
      + " os.close(" + CODE_FD + ")\n"
      + " return b''.join(d).decode()\n"
      + "c=r(p)\n";

  private WarmReader() {}

  /**
   * Reads the sandbox's stderr up to {@link #READY}: what comes before it (the interpreter's own
   * start-up messages, if any) is no output of the execution.
   *
   * @throws IOException when the sandbox ended before it was ready
   */
  static void awaitReady(Process sandbox) throws IOException {
    InputStream stderr = sandbox.getErrorStream();
    int read;
    while ((read = stderr.read()) != -1) {
      if (read == READY) {
        return;
      }
    }
    throw new IOException("it ended before it was ready (exit "
        + (sandbox.isAlive() ? "unknown" : sandbox.exitValue()) + ")");
  }

  /** The spec of a warm sandbox: this program, the default limits. */
  static LaunchSpec spec(ReadyEnvironment environment, Optional<Path> workDir, List<Volume> volumes,
      List<String> preload, ExecutionLimits defaults) {
    return new LaunchSpec("warm-" + UUID.randomUUID(), environment, workDir, volumes, program(preload), defaults);
  }

  /** The program of a warm sandbox that preloads {@code modules}. */
  static Program program(List<String> modules) {
    return new Program(List.of("python", "-c", source(modules)), Optional.empty());
  }

  /** The {@code -c} text: line 3 execs the code, as in {@link Program#PYTHON_READER}. */
  static String source(List<String> modules) {
    for (String module : modules) {
      if (!MODULE_NAME.matcher(module).matches()) {
        throw new IllegalArgumentException("not a module name: " + module);
      }
    }
    String preload = modules.stream().map(module -> "'" + module + "'")
        .collect(Collectors.joining(",", "[", "]"));
    return "try:\n"
        + " g={'p':" + preload + "};exec(\"" + HELPER.replace("\\", "\\\\").replace("\n", "\\n") + "\",g);c=g['c'];g.clear();del g\n"
        + " exec(globals().pop('c'))\n"
        + "except Exception as e:e.__traceback__=e.__traceback__.tb_next;"
        + "__import__('sys').excepthook(type(e),e,e.__traceback__);raise SystemExit(1)\n";
  }
}
