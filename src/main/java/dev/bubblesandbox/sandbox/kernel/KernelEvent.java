package dev.bubblesandbox.sandbox.kernel;

import java.util.Map;

/**
 * One line the runner wrote, parsed ({@link KernelProtocol}). Which fields are set depends on
 * its {@link Type}.
 *
 * @param text a stream's text
 * @param stderr whether a stream is stderr
 * @param bundle a display's or a result's MIME bundle
 * @param error an error's exception
 * @param executionCount a done's count
 * @param ipython whether a ready runner uses IPython
 * @param size the length of its line, in characters: what holding it costs
 */
record KernelEvent(Type type, String text, boolean stderr, Map<String, Object> bundle,
    KernelError error, int executionCount, boolean ipython, int size) {

  /** This event as read from a line of {@code length} characters. */
  KernelEvent sized(int length) {
    return new KernelEvent(type, text, stderr, bundle, error, executionCount, ipython, length);
  }

  /** The kinds of event, in the runner's words. */
  enum Type { READY, STREAM, DISPLAY, RESULT, ERROR, DONE }

  static KernelEvent ready(boolean ipython) {
    return new KernelEvent(Type.READY, null, false, null, null, 0, ipython, 0);
  }

  static KernelEvent stream(boolean stderr, String text) {
    return new KernelEvent(Type.STREAM, text, stderr, null, null, 0, false, 0);
  }

  static KernelEvent bundle(Type type, Map<String, Object> bundle) {
    return new KernelEvent(type, null, false, bundle, null, 0, false, 0);
  }

  static KernelEvent error(KernelError error) {
    return new KernelEvent(Type.ERROR, null, false, null, error, 0, false, 0);
  }

  static KernelEvent done(int executionCount) {
    return new KernelEvent(Type.DONE, null, false, null, null, executionCount, false, 0);
  }
}
