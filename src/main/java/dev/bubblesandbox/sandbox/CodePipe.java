package dev.bubblesandbox.sandbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The private pipe a warm sandbox reads its code from: a FIFO in the runner's private directory
 * (owner only), which the launcher's shell opens on {@link WarmReader#CODE_FD} for bwrap to pass
 * on. This end is opened for reading and writing, so that neither open waits for the other, and
 * the sandbox sees end-of-file only once the code is written and this end closed.
 */
final class CodePipe implements AutoCloseable {

  private final Path path;
  private final FileChannel channel;

  private CodePipe(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /** Makes the FIFO ({@code mkfifo}: Java makes none itself; off the request path) and opens it. */
  static CodePipe create(Path path) throws IOException {
    Process mkfifo = new ProcessBuilder("mkfifo", "-m", "600", path.toString()).redirectErrorStream(true).start();
    try {
      if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
        mkfifo.destroyForcibly();
        throw new IOException("mkfifo failed: "
            + new String(mkfifo.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    try {
      return new CodePipe(path, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
    } catch (IOException e) {
      Files.deleteIfExists(path);
      throw e;
    }
  }

  /** The shell line that opens the pipe on the sandbox's code descriptor. */
  String shellRedirection() {
    return "exec " + WarmReader.CODE_FD + "< " + LaunchCommand.shellQuote(path.toString()) + " || exit 125\n";
  }

  /**
   * Writes the code and closes this end. Past the pipe's buffer this waits for the sandbox to
   * read; {@link #close} from another thread (its process ended) ends the wait with an error.
   */
  void send(String code) throws IOException {
    ByteBuffer bytes = StandardCharsets.UTF_8.encode(code);
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
    channel.close();
  }

  /** Closes this end and removes the FIFO; the sandbox keeps its open end. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // already closed
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // left in the runner's private directory, removed with it
    }
  }
}
