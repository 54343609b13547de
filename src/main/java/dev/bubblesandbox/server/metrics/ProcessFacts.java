package dev.bubblesandbox.server.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The server process's resident memory and open descriptors, from {@code /proc/self} (what
 * Prometheus' own clients export as {@code process_resident_memory_bytes} and {@code
 * process_open_fds}; Micrometer's core has neither). Reading them is a few system calls on a
 * virtual file system, cheap enough for a scrape; NaN where there is no {@code /proc}.
 */
final class ProcessFacts {

  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path DESCRIPTORS = Path.of("/proc/self/fd");

  private ProcessFacts() {}

  static double residentBytes() {
    try (Stream<String> lines = Files.lines(STATUS)) {
      return lines.filter(line -> line.startsWith("VmRSS:")).findFirst()
          .map(line -> Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024)
          .orElse(Double.NaN);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  static double openDescriptors() {
    try (Stream<Path> descriptors = Files.list(DESCRIPTORS)) {
      // Less the one this listing holds open.
      return descriptors.count() - 1;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
