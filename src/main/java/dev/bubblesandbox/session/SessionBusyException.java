package dev.bubblesandbox.session;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;

/**
 * A session asked for something while it runs an execution (or holds a file operation): one
 * refusal, with one message, for executing, ending it, its files and its console alike.
 */
public final class SessionBusyException extends BubbleSandboxException {

  public SessionBusyException(String sessionId) {
    super(ErrorCode.SESSION_BUSY, "Session '" + sessionId + "' is already running something; wait for it to end.");
  }
}
