package dev.bubblesandbox.session.workspace;

/** One regular file of a workspace as the listing shows it; {@code modified} is ISO-8601. */
public record FileEntry(String path, long size, String modified) {}
