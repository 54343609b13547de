package dev.bubblesandbox.sandbox.warm;

import dev.bubblesandbox.sandbox.LaunchCommand;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /** FIFOs made ahead, by directory: one {@code mkfifo} makes {@link #BATCH} of them. */
  private static final Map<Path, Deque<Path>> STOCK = new HashMap<>();
  private static final int BATCH = 64;
  /** What a pipe holds at the least (one page; 16 unless the owner has too many): written at once. */
  private static final int ALWAYS_HELD = 4096;
  private static long made;

  /**
   * Takes a FIFO of {@code directory} (Java makes none itself, so {@code mkfifo} makes them, a
   * batch at a time, off the request path) and opens it.
   */
  static CodePipe create(Path directory) throws IOException {
    Path path = take(directory);
    try {
      return new CodePipe(path, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
    } catch (IOException e) {
      Files.deleteIfExists(path);
      throw e;
    }
  }

  private static synchronized Path take(Path directory) throws IOException {
    Deque<Path> stock = STOCK.computeIfAbsent(directory, key -> new ArrayDeque<>());
    if (stock.isEmpty()) {
      List<String> command = new ArrayList<>(List.of("mkfifo", "-m", "600"));
      List<Path> batch = new ArrayList<>();
      for (int i = 0; i < BATCH; i++) {
        batch.add(directory.resolve("code-" + ++made));
        command.add(batch.get(i).toString());
      }
      Process mkfifo = new ProcessBuilder(command).redirectErrorStream(true).start();
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
      stock.addAll(batch);
    }
    return stock.poll();
  }

  /** Removes the FIFOs of {@code directory} made ahead and not used (its warm pool closed). */
  static synchronized void discardStock(Path directory) {
    Deque<Path> stock = STOCK.remove(directory);
    if (stock != null) {
      for (Path path : stock) {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          // left in the private directory, removed with it
        }
      }
    }
  }

  /** The shell line that opens the pipe on the sandbox's code descriptor. */
  String shellRedirection() {
    return "exec " + WarmReader.CODE_FD + "< " + LaunchCommand.shellQuote(path.toString()) + " || exit 125\n";
  }

  /**
   * Writes the code and closes this end. Past what the pipe holds this waits for {@code reader},
   * the sandbox, to read: should it end first, closing the pipe ends the wait with an error.
   * Shorter code, the usual, needs no watch on the reader (which costs a thread's wait).
   */
  void send(String code, Process reader) throws IOException {
    ByteBuffer bytes = StandardCharsets.UTF_8.encode(code);
    if (bytes.remaining() > ALWAYS_HELD) {
      reader.onExit().thenRun(this::close);
    }
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
