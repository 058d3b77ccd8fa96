package io.drrunbook.connectors.ssh;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the first {@code limit} bytes written to it and discards the rest; {@link #text()} says how
 * many bytes were discarded. The capture of a command's stdout and stderr in
 * {@link SshCommandRunner}.
 */
final class BoundedOutputStream extends OutputStream {
  private final byte[] buffer;
  private int size;
  private long discarded;

  BoundedOutputStream(int limit) {
    this.buffer = new byte[limit];
  }

  @Override
  public synchronized void write(int b) {
    if (size < buffer.length) {
      buffer[size++] = (byte) b;
    } else {
      discarded++;
    }
  }

  @Override
  public synchronized void write(byte[] data, int offset, int length) {
    int kept = Math.min(length, buffer.length - size);
    System.arraycopy(data, offset, buffer, size, kept);
    size += kept;
    discarded += length - kept;
  }

  /** What was kept, as UTF-8, followed by {@code \n[N more bytes discarded]} if anything was. */
  synchronized String text() {
    String text = new String(buffer, 0, size, StandardCharsets.UTF_8);
    return discarded == 0 ? text : text + "\n[" + discarded + " more bytes discarded]";
  }
}
