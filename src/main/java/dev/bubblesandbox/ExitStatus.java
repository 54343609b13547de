package dev.bubblesandbox;

/**
 * The command line's own exit statuses, for failures before or around the sandboxed process
 * (whose return code is otherwise the CLI's status). Kept just below the shell's 126 and 127, as
 * {@code docker run} does with 125; docs/cli.md lists them.
 */
public final class ExitStatus {

  /** A usage or configuration error: a bad option, setting, name, path or request. */
  public static final int USAGE_ERROR = 125;

  /** The environment exists but its virtual environment is missing or stale. */
  public static final int ENVIRONMENT_NOT_READY = 124;

  /** Creating or updating a virtual environment failed. */
  public static final int ENVIRONMENT_SYNC_FAILED = 123;

  /** This host cannot start the sandbox: bwrap or setpriv missing, limits not enforceable. */
  public static final int SANDBOX_UNAVAILABLE = 122;

  /** A failure of the program itself. */
  public static final int INTERNAL_ERROR = 1;

  private ExitStatus() {}
}
