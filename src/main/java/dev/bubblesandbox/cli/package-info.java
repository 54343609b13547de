/**
 * The picocli commands and what only the command line needs: the ownership hand-over of work
 * directories and the spawn mechanism of the JVM. Runs sandboxes through sandbox directly,
 * without Vert.x.
 *
 * <p>May import every package below it: server (serve), cluster (certificates), session, sandbox.*,
 * environment, config.
 */
package dev.bubblesandbox.cli;
