package dev.bubblesandbox.sandbox;

/**
 * What a launch leaves for its watcher ({@link ExecutionWatcher}) once bwrap has exited: whether
 * the program was executed at all, and the files to remove before the result is given.
 */
public interface LaunchTrace {

  /**
   * A warm sandbox's: its Python wrote the ready byte
   * ({@link dev.bubblesandbox.sandbox.warm.WarmReader#READY}) before it was handed the code, so
   * the program was executed; it keeps no files.
   */
  LaunchTrace WARM = new LaunchTrace() {
    @Override
    public boolean programExecuted() {
      return true;
    }

    @Override
    public void delete() { }
  };

  /** Whether bwrap executed the program: false when the launch failed before it. */
  boolean programExecuted();

  /** Removes the launch's files; nothing is left of them afterwards. */
  void delete();
}
