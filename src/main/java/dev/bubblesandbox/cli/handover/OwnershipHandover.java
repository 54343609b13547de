package dev.bubblesandbox.cli.handover;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Host directories lent to the sandbox uid for one run and given back afterwards: the CLI's
 * {@code -w DIR} and rw volumes, when it runs as root. Before the run every entry's owner is
 * recorded by inode and the entries are handed to the sandbox uid (which must own what it
 * writes); after it, recorded inodes get their owner back and what the sandbox created gets the
 * owner of the directory it was lent in. Modes stay as the script left them, except the setuid
 * and setgid bits of what the sandbox created (they would grant the new owner's rights).
 *
 * <p>Why not keep ownership as it is: bwrap cannot make an id-mapped mount, util-linux here
 * (2.38) has no {@code X-mount.idmap}, and Java 17 cannot call {@code mount_setattr}.
 *
 * <p>Safety: both walks stay on the directory's own filesystem (a mount point below it is
 * neither lent nor touched), never follow a link (a link is chowned itself, with
 * {@code lchown}), and leave alone what neither was recorded nor belongs to the sandbox uid.
 * Files with more than one hard link are not lent: another link may lie outside the directory,
 * and lending the inode would let the sandbox write there. {@link #restore} must run only once
 * no sandbox process is left that could change the tree under the walk; the sandbox cannot
 * create a hard link to a file outside the directory (link() across mounts fails), so every
 * inode it leaves belongs to the tree.
 */
public final class OwnershipHandover {

  private record Owner(int uid, int gid) { }

  private record Inode(long device, long number) { }

  /** One lent directory: its path, filesystem and owner before the run. */
  private record Root(Path path, long device, Owner owner) { }

  private final int sandboxUid;
  private final List<Root> roots;
  private final Map<Inode, Owner> before;
  private boolean restored;

  private OwnershipHandover(int sandboxUid, List<Root> roots, Map<Inode, Owner> before) {
    this.sandboxUid = sandboxUid;
    this.roots = roots;
    this.before = before;
  }

  /**
   * Records who owns each of {@code dirs} and everything in them, to be handed to
   * {@code sandboxUid} by {@link #handOver}. Nested directories are fine: everything is recorded
   * before anything is handed over.
   */
  public static OwnershipHandover record(List<Path> dirs, int sandboxUid) {
    List<Root> roots = new ArrayList<>();
    Map<Inode, Owner> before = new HashMap<>();
    try {
      for (Path dir : dirs) {
        Map<String, Object> attributes = attributes(dir);
        long device = (Long) attributes.get("dev");
        roots.add(new Root(dir, device, ownerOf(attributes)));
        walk(dir, device, (path, entry) -> before.putIfAbsent(inodeOf(entry), ownerOf(entry)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Deepest first, so that what the sandbox creates in a nested one gets that one's owner.
    roots.sort(Comparator.comparingInt((Root root) -> root.path().getNameCount()).reversed());
    return new OwnershipHandover(sandboxUid, List.copyOf(roots), before);
  }

  /**
   * Hands every recorded directory and what is in it to the sandbox uid. When it fails half
   * way, {@link #restore} still gives back what was handed over.
   */
  public void handOver() {
    Owner sandbox = new Owner(sandboxUid, sandboxUid);
    forEachEntry((path, entry) -> {
      boolean directory = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
      if (directory || ((Integer) entry.get("nlink")) == 1) {
        chown(path, entry, sandbox);
      }
    });
  }

  /**
   * Gives every lent directory and everything in it back: recorded inodes to their owner, what
   * the sandbox created to the lent directory's owner. Runs once; later calls do nothing.
   */
  public synchronized void restore() {
    if (restored) {
      return;
    }
    restored = true;
    // One entry that cannot be changed does not keep the others from being given back.
    List<IOException> failures = new ArrayList<>();
    for (Root root : roots) {
      try {
        walk(root.path(), root.device(), (path, entry) -> {
          try {
            Owner recorded = before.get(inodeOf(entry));
            if (recorded != null) {
              chown(path, entry, recorded);
            } else if (((Integer) entry.get("uid")) == sandboxUid) {
              chown(path, entry, root.owner());
              clearSetIdBits(path, entry);
            }
          } catch (IOException e) {
            failures.add(e);
          }
        });
      } catch (IOException e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      throw new UncheckedIOException("Could not give back " + failures.size()
          + " entries to their owner; the first: " + failures.get(0).getMessage(), failures.get(0));
    }
  }

  private void forEachEntry(EntryAction action) {
    try {
      for (Root root : roots) {
        walk(root.path(), root.device(), action);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What to do with one entry, given its attributes read without following links. */
  private interface EntryAction {
    void accept(Path path, Map<String, Object> attributes) throws IOException;
  }

  /**
   * Visits {@code dir} and everything below it on {@code device}, links included but never
   * followed; a directory on another filesystem (a mount point) is skipped with its contents.
   * What vanishes or cannot be read during the walk is skipped.
   */
  private static void walk(Path dir, long device, EntryAction action) throws IOException {
    Files.walkFileTree(dir, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path path, BasicFileAttributes basic) throws IOException {
        Map<String, Object> entry = attributes(path);
        if ((Long) entry.get("dev") != device) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        action.accept(path, entry);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path path, BasicFileAttributes basic) throws IOException {
        Map<String, Object> entry = attributes(path);
        if ((Long) entry.get("dev") == device) {
          action.accept(path, entry);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path path, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static Map<String, Object> attributes(Path path) throws IOException {
    return Files.readAttributes(path, "unix:dev,ino,uid,gid,mode,nlink", LinkOption.NOFOLLOW_LINKS);
  }

  private static Inode inodeOf(Map<String, Object> entry) {
    return new Inode((Long) entry.get("dev"), (Long) entry.get("ino"));
  }

  private static Owner ownerOf(Map<String, Object> entry) {
    return new Owner((Integer) entry.get("uid"), (Integer) entry.get("gid"));
  }

  /** lchown: a link is changed itself, never its target. */
  private static void chown(Path path, Map<String, Object> entry, Owner owner) throws IOException {
    if (((Integer) entry.get("uid")) != owner.uid()) {
      Files.setAttribute(path, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
    }
    if (((Integer) entry.get("gid")) != owner.gid()) {
      Files.setAttribute(path, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
    }
  }

  /**
   * A setuid or setgid file the sandbox made must not become one of the directory's owner.
   * Linux clears the bits on chown of an executable; this covers the rest.
   */
  private static void clearSetIdBits(Path path, Map<String, Object> entry) throws IOException {
    int mode = (Integer) entry.get("mode");
    if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && (mode & 06000) != 0) {
      Files.setAttribute(path, "unix:mode", mode & 07777 & ~06000, LinkOption.NOFOLLOW_LINKS);
    }
  }
}
