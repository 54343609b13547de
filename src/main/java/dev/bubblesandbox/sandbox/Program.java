package dev.bubblesandbox.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What runs inside a sandbox: an argv, and for a script its source. A source never travels as
 * an argument: Linux caps one argument at 128 KiB and exec fails past it ({@code E2BIG}). It
 * reaches the sandbox as a read-only file at {@link #SOURCE_PATH}, copied in by bwrap from a
 * descriptor, so it names no host path and no other sandbox sees it; the argv reads it there.
 *
 * @param argv the command run inside, resolved against the sandbox's PATH
 * @param source the text the argv reads from {@link #SOURCE_PATH}, if any
 */
public record Program(List<String> argv, Optional<String> source) {

  /** Where a script's source is inside its sandbox: read-only, in the read-only root. */
  public static final String SOURCE_PATH = "/sandbox/.script";

  /** Linux's limit for one argument (MAX_ARG_STRLEN), its terminating NUL included. */
  static final int MAX_ARGUMENT_BYTES = 128 * 1024;

  /**
   * Room for all arguments of an argv program, each counted with its NUL and its pointer as the
   * kernel counts them: half of the 2 MiB that exec allows with the usual 8 MiB stack, the rest
   * being bwrap's own arguments.
   */
  static final int MAX_ARGV_BYTES = 1 << 20;

  /**
   * Runs the source as {@code python -c} would, so that a script sees what it would see there:
   * {@code sys.argv == ['-c']}, no {@code __file__}, the work dir first on {@code sys.path},
   * {@code __main__} with none of this reader's names (the file is closed, so not even a
   * {@code __warningregistry__} of its ResourceWarning), tracebacks of {@code File "<string>"}
   * without the reader's frame (a syntax error without any, as with {@code -c}), SystemExit
   * and KeyboardInterrupt ended as Python ends them. Only {@code sys.orig_argv} and the module
   * frame's {@code f_back} show the reader. {@code exec} of the text compiles it as {@code -c}
   * does (file {@code <string>}, coding cookies ignored); the builtin {@code compile()} would
   * be slower on its first call (it builds the AST types).
   */
  public static final String PYTHON_READER = "try:\n"
      + " with open('" + SOURCE_PATH + "','rb') as f:c=f.read().decode()\n"
      + " del f;exec(globals().pop('c'))\n"
      + "except Exception as e:e.__traceback__=e.__traceback__.tb_next;"
      + "__import__('sys').excepthook(type(e),e,e.__traceback__);raise SystemExit(1)\n";

  /**
   * Runs the source as {@code sh -c} would ({@code $0} is {@code sh}, no arguments); a shell
   * error reads {@code sh: LINE: eval: ...}.
   */
  static final String SHELL_READER = "eval \"$(cat " + SOURCE_PATH + ")\"";

  /**
   * Runs an argv through a shell's {@code exec}, so that a command that cannot be executed is
   * the program's own failure (status 127 or 126 and the shell's message, no host path), not a
   * failure of bwrap's start.
   */
  static final String ARGV_RUNNER = "exec \"$@\"";

  public Program {
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new InvalidLaunchException("Nothing to run: the command is empty.");
    }
    long total = 0;
    for (String argument : argv) {
      if (argument.indexOf('\0') >= 0) {
        throw new InvalidLaunchException("The command line may not contain NUL characters.");
      }
      int bytes = argument.getBytes(StandardCharsets.UTF_8).length + 1;
      if (bytes > MAX_ARGUMENT_BYTES) {
        throw new InvalidLaunchException("A command argument is larger than Linux allows for one "
            + "argument (" + (MAX_ARGUMENT_BYTES - 1) + " bytes); pass large text as a script, "
            + "on stdin or in a file of the work dir.");
      }
      total += bytes + Long.BYTES;
    }
    if (total > MAX_ARGV_BYTES) {
      throw new InvalidLaunchException("The command's arguments are larger than "
          + (MAX_ARGV_BYTES >> 10) + " KiB in all; pass large text as a script, on stdin or in a "
          + "file of the work dir.");
    }
  }

  /** Python source, run as {@code python -c SOURCE} runs it. */
  public static Program python(String source) {
    return new Program(List.of("python", "-c", PYTHON_READER), Optional.of(source));
  }

  /** A shell command line, run as {@code sh -c LINE} runs it. */
  public static Program shell(String commandLine) {
    return new Program(List.of("sh", "-c", SHELL_READER), Optional.of(commandLine));
  }

  /**
   * A user's argv, run with no shell in between: a shell's {@code exec} replaces itself with it
   * (see {@link #ARGV_RUNNER}).
   */
  public static Program command(List<String> argv) {
    if (argv.isEmpty()) {
      throw new InvalidLaunchException("Nothing to run: the command is empty.");
    }
    List<String> runner = new ArrayList<>(List.of("/bin/sh", "-c", ARGV_RUNNER, "sh"));
    runner.addAll(argv);
    return new Program(runner, Optional.empty());
  }

  /** An argv that bwrap executes itself: for programs known to exist (e.g. a raw benchmark). */
  public static Program direct(List<String> argv) {
    return new Program(argv, Optional.empty());
  }
}
