package dev.bubblesandbox.sandbox.kernel;

import dev.bubblesandbox.sandbox.output.OutputListener;
import java.util.Map;

/** Streams of one kernel execution, in order, from one thread. */
public interface KernelListener extends OutputListener {

  /** A MIME bundle (value String, JSON value, or the {"file","mime","bytes"} map). */
  void onDisplay(Map<String, Object> bundle);

  /** The main result's bundle. */
  void onResult(Map<String, Object> bundle);

  /** A listener that ignores everything. */
  KernelListener NONE = new KernelListener() {
    @Override
    public void onOutput(Stream stream, String text) { }

    @Override
    public void onDisplay(Map<String, Object> bundle) { }

    @Override
    public void onResult(Map<String, Object> bundle) { }
  };
}
