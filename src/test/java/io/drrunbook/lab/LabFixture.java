package io.drrunbook.lab;

import io.drrunbook.lab.model.LabModels;
import io.drrunbook.lab.faults.LabFaults;
import io.drrunbook.topology.Topology;
import io.drrunbook.topology.TopologyProperties;
import io.drrunbook.topology.TopologyProperties.DnsServer;
import io.drrunbook.topology.TopologyProperties.Host;
import io.drrunbook.topology.TopologyProperties.Site;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

/**
 * The drill lab built by hand for tests, without Spring: two sites, each with a management host, a
 * GoldenGate host and one proxy, all SSH servers on free ports, and a real MINA SSH client that
 * verifies host keys against the generated known_hosts and logs in with the generated key.
 */
final class LabFixture implements AutoCloseable {

  static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** The lab clock: the replicats' "Last Started" time of the initial state. */
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T10:00:00Z"), ZoneOffset.UTC);
  static final String USER = "genesys";
  static final String OCMS1 = "site1.ocms-1";
  static final String OCMS2 = "site1.ocms-2";
  static final String OCMS_USER = "oracle";
  /** The product's lab models, as the lab profile loads them. */
  static final LabModels MODELS = LabModels.load(List.of("classpath:lab/models/*.yaml")).checkReferences();

  final LabProperties lab;
  final TopologyProperties topologyProperties;
  final Topology topology;
  final LabKeys keys;
  final LabState state;
  final LabShell shell;
  final LabFaults faults;
  final LabFileSystems files;
  final LabSshHosts hosts;
  final SshClient client;

  LabFixture(Path dir, int dnsPort, Map<String, Duration> delays) {
    this(dir, dnsPort, delays, false);
  }

  /** With {@code ocms}: also the two OCMS nodes site1.ocms-1 and -2 (model oracle-ocms). */
  LabFixture(Path dir, int dnsPort, Map<String, Duration> delays, boolean ocms) {
    this(dir, dnsPort, delays, ocms, 1);
  }

  /**
   * With {@code site2Proxies} proxies at Site 2 ({@code site2.cs-proxy-1} to {@code -N}, addresses
   * 127.0.2.31 on), each an SSH server of its own: the fan-out benchmark's N hosts.
   */
  LabFixture(Path dir, int dnsPort, Map<String, Duration> delays, boolean ocms, int site2Proxies) {
    this.lab = labProperties(dir);
    for (int n = 2; n <= site2Proxies; n++) {
      lab.getRoles().put("site2.cs-proxy-" + n, "cs-proxy");
    }
    if (ocms) {
      lab.getRoles().put(OCMS1, "ocms-node");
      lab.getRoles().put(OCMS2, "ocms-node");
    }
    lab.getCommandDelays().putAll(delays);
    this.topologyProperties = topology(dir, dnsPort);
    for (int n = 2; n <= site2Proxies; n++) {
      topologyProperties.getSites().get("site2").getHosts().put("cs-proxy-" + n, host("127.0.2." + (30 + n)));
    }
    this.topology = new Topology(topologyProperties);
    this.keys = new LabKeys(lab, topology);
    this.state = new LabState(lab, topology, MODELS, CLOCK);
    this.shell = new LabShell(state, lab);
    this.faults = new LabFaults(state::hosts, topology, CLOCK);
    this.files = new LabFileSystems(lab);
    this.hosts = new LabSshHosts(lab, topology, keys, shell, state, faults, files);
    hosts.start();
    this.client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(
        new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, keys.knownHostsFile()));
    client.start();
  }

  static LabProperties labProperties(Path dir) {
    LabProperties lab = new LabProperties();
    lab.setDir(dir.resolve("lab"));
    lab.getRoles().put("site1.cs-mgmt", "genesys-mgmt");
    lab.getRoles().put("site2.cs-mgmt", "genesys-mgmt");
    lab.getRoles().put("site1.ogg", "goldengate");
    lab.getRoles().put("site2.ogg", "goldengate");
    lab.getRoles().put("site1.cs-proxy-1", "cs-proxy");
    lab.getRoles().put("site2.cs-proxy-1", "cs-proxy");
    return lab;
  }

  static TopologyProperties topology(Path dir, int dnsPort) {
    TopologyProperties topology = new TopologyProperties();
    topology.getSsh().setKnownHosts(dir.resolve("lab/keys/known_hosts").toString());
    for (int n = 1; n <= 2; n++) {
      Site site = new Site();
      site.setTitle("Site " + n);
      site.getHosts().put("cs-mgmt", host("127.0." + n + ".10"));
      site.getHosts().put("ogg", host("127.0." + n + ".20"));
      site.getHosts().put("cs-proxy-1", host("127.0." + n + ".31"));
      topology.getSites().put("site" + n, site);
    }
    for (int n = 1; n <= 2; n++) {
      Host node = host("127.0.1.6" + n);
      node.setHostname("ocms-" + n + ".site1.ocms.lab");
      node.getSsh().setUser(OCMS_USER);
      node.getSecrets().put("timesten-password",
          "file:" + dir.resolve("lab/secrets/site1-ocms-timesten.password"));
      topology.getSites().get("site1").getHosts().put("ocms-" + n, node);
    }
    DnsServer dns = new DnsServer();
    dns.setAddress("127.0.0.1");
    dns.setPort(dnsPort);
    dns.setTimeout(Duration.ofMillis(500));
    topology.getDnsServers().put(LabResolver.DNS_SERVER, dns);
    return topology;
  }

  private static Host host(String address) {
    Host host = new Host();
    host.setAddress(address);
    host.getSsh().setHost("127.0.0.1");
    host.getSsh().setPort(0);
    host.getSsh().setUser(USER);
    return host;
  }

  /**
   * An SSH connector runner as the application builds one, over this lab's topology: every
   * simulated host gets the generated client key and its bound port.
   */
  io.drrunbook.connectors.ssh.SshCommandRunner connectorRunner(io.drrunbook.common.SecretMasker masker) {
    for (String host : state.hosts()) {
      topology.host(host).getSsh().setPrivateKey("file:" + keys.privateKeyFile());
      topology.host(host).getSsh().setPort(hosts.port(host));
    }
    return new io.drrunbook.connectors.ssh.SshCommandRunner(topology,
        new io.drrunbook.topology.SecretResolver(masker));
  }

  /** The client key exactly as the SSH connector will read it: the generated OpenSSH file. */
  KeyPair clientKey() throws IOException, GeneralSecurityException {
    return new FileKeyPairProvider(keys.privateKeyFile()).loadKeys(null).iterator().next();
  }

  LabShell.Result exec(String host, String command) throws Exception {
    return exec(host, command, USER, clientKey());
  }

  LabShell.Result exec(String host, String command, String user, KeyPair key) throws Exception {
    try (ClientSession session = client.connect(user, "127.0.0.1", hosts.port(host)).verify(TIMEOUT).getSession()) {
      session.addPublicKeyIdentity(key);
      session.auth().verify(TIMEOUT);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      try (ChannelExec channel = session.createExecChannel(command)) {
        channel.setOut(out);
        channel.setErr(err);
        channel.open().verify(TIMEOUT);
        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS), TIMEOUT);
        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TIMEOUT);
        Integer exit = channel.getExitStatus();
        return new LabShell.Result(exit == null ? -1 : exit,
            out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
      }
    }
  }

  @Override
  public void close() throws IOException {
    client.stop();
    hosts.stop();
  }
}
