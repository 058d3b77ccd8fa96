package io.drrunbook.lab;

import io.drrunbook.topology.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** What a lab host's port does now, seen over TCP as any client sees it. */
public final class LabPorts {

  private LabPorts() {}

  /** Whether the SSH port of a lab host refuses a TCP connection now, as a lost site's host does. */
  public static boolean refusesConnections(Topology topology, String host) {
    var ssh = topology.host(host).getSsh();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(ssh.getHost(), ssh.getPort()), 2000);
      return false;
    } catch (ConnectException refused) {
      return true;
    } catch (IOException other) {
      throw new UncheckedIOException(other);
    }
  }
}
