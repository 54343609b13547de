package dev.bubblesandbox.session.workspace;

import dev.bubblesandbox.config.InvalidSettingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Holds a workspace directory for one server at a time. Two servers on one directory would each
 * restore, mount and, at a graceful stop, remove the other's sessions. The lock is the kernel's
 * (fcntl), so a crash releases it with the process and never leaves a stale one behind.
 */
final class WorkspaceLock {

  private final FileChannel channel;
  private final FileLock lock;

  private WorkspaceLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes {@code file}'s lock and writes this process's id into it.
   *
   * @throws InvalidSettingException when another server (of this process or another) holds it
   */
  static WorkspaceLock take(Path file, Path workspace) {
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
        channel.close();
        throw new InvalidSettingException("Invalid setting workspace_dir (BUBBLE_SANDBOX_WORKSPACE_DIR): "
            + workspace + " is in use by another running bubble-sandbox server"
            + (holder.isEmpty() ? "" : " (pid " + holder + ")") + "; stop it or choose another directory.");
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      return new WorkspaceLock(channel, lock);
    } catch (IOException e) {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw new InvalidSettingException("Invalid setting workspace_dir (BUBBLE_SANDBOX_WORKSPACE_DIR): "
          + "cannot lock " + file + ": " + e.getMessage());
    }
  }

  /** Lets another server have the directory. */
  void release() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Closing the channel releases the lock in any case; nothing is left to undo.
    }
  }
}
