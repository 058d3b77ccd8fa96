package io.drrunbook.connectors.ssh;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.topology.SecretResolver;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.SessionPool;
import io.drrunbook.topology.TopologyProperties.Site;
import io.drrunbook.topology.TopologyProperties;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * Everything an SSH connector test needs, built by hand (no Spring): an embedded server that
 * authorizes one generated client key, that key in OpenSSH format, a known_hosts file with the
 * server's key, and a topology with the host {@value #HOST} pointing at the server. Public for the
 * tests of other packages that reach hosts through {@link SshCommandRunner} (prechecks).
 */
public final class SshFixture implements AutoCloseable {

  public static final String HOST = "lab.box";

  public final Path dir;
  public final EmbeddedSshServer server;
  public final Path clientKey;
  public final Path knownHosts;
  public final SecretMasker masker = new SecretMasker();

  private SshFixture(Path dir) throws Exception {
    this.dir = dir;
    KeyPair client = newEcKeyPair();
    clientKey = writePrivateKey(dir.resolve("id_ecdsa"), client);
    server = EmbeddedSshServer.start(dir, client.getPublic());
    knownHosts = writeKnownHosts(dir.resolve("known_hosts"), server.hostKey());
  }

  public static SshFixture start(Path dir) throws Exception {
    return new SshFixture(dir);
  }

  public static KeyPair newEcKeyPair() throws Exception {
    return KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
  }

  public static Path writePrivateKey(Path file, KeyPair pair) throws Exception {
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "dr-runbook-test", null, out);
    }
    return file;
  }

  /** A known_hosts file whose one line gives {@code key} for the server's [127.0.0.1]:port. */
  public Path writeKnownHosts(Path file, PublicKey key) throws Exception {
    Files.writeString(file, "[127.0.0.1]:" + server.port() + " " + PublicKeyEntry.toString(key) + "\n");
    return file;
  }

  public Topology topology(Path knownHostsFile, Path privateKey, int port) {
    TopologyProperties properties = new TopologyProperties();
    properties.getSsh().setKnownHosts(knownHostsFile.toString());
    properties.getSsh().setConnectTimeout(Duration.ofSeconds(5));
    Host host = new Host();
    host.setAddress("127.0.9.9");
    host.setHostname("box.lab");
    host.getSsh().setHost("127.0.0.1");
    host.getSsh().setPort(port);
    host.getSsh().setUser("genesys");
    host.getSsh().setPrivateKey("file:" + privateKey);
    host.getSecrets().put("box-password", "file:" + dir.resolve("box.password"));
    Site site = new Site();
    site.getHosts().put("box", host);
    properties.getSites().put("lab", site);
    return new Topology(properties);
  }

  /** A runner that trusts the right host key and uses the authorized client key. */
  public SshCommandRunner runner() {
    return runner(knownHosts, clientKey, server.port());
  }

  public SshCommandRunner runner(Path knownHostsFile, Path privateKey, int port) {
    return new SshCommandRunner(topology(knownHostsFile, privateKey, port),
        new SecretResolver(masker));
  }

  /** A runner like {@link #runner()} with its session pool set up by {@code pool}. */
  public SshCommandRunner runner(Path knownHostsFile, Consumer<SessionPool> pool) {
    Topology topology = topology(knownHostsFile, clientKey, server.port());
    pool.accept(topology.properties().getSsh().getPool());
    return new SshCommandRunner(topology, new SecretResolver(masker));
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
