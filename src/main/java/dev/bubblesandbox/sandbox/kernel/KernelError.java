package dev.bubblesandbox.sandbox.kernel;

import java.util.List;

/**
 * The exception a kernel execution ended with.
 *
 * @param name the exception's class name, e.g. {@code ZeroDivisionError}
 * @param value its message
 * @param traceback the formatted traceback's lines, naming the user's {@code <cell>} lines
 */
public record KernelError(String name, String value, List<String> traceback) {

  public KernelError {
    traceback = List.copyOf(traceback);
  }
}
