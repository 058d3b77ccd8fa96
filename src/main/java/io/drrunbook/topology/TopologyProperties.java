package io.drrunbook.topology;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The site topology as written in configuration ({@code dr.topology.*}): sites with their hosts,
 * databases and HTTP endpoints, DNS servers and records, and named groups of hosts. Secrets are
 * references ({@code env:NAME} or {@code file:/path}), resolved by {@link SecretResolver} only when a
 * connector needs them. Read it through {@link Topology}, which resolves logical names.
 */
@ConfigurationProperties(prefix = "dr.topology")
public class TopologyProperties {

  /** Sites by id (site1, site2, dc1, ...). */
  private Map<String, Site> sites = new LinkedHashMap<>();

  /** Authoritative DNS servers that accept dynamic updates, by logical name. */
  private Map<String, DnsServer> dnsServers = new LinkedHashMap<>();

  /** DNS records a procedure may switch or verify, by logical name. */
  private Map<String, DnsRecord> dnsRecords = new LinkedHashMap<>();

  /** Named lists of logical host names (site.host), used by multi-instance steps. */
  private Map<String, List<String>> groups = new LinkedHashMap<>();

  private SshSettings ssh = new SshSettings();

  public Map<String, Site> getSites() { return sites; }
  public void setSites(Map<String, Site> sites) { this.sites = sites; }
  public Map<String, DnsServer> getDnsServers() { return dnsServers; }
  public void setDnsServers(Map<String, DnsServer> dnsServers) { this.dnsServers = dnsServers; }
  public Map<String, DnsRecord> getDnsRecords() { return dnsRecords; }
  public void setDnsRecords(Map<String, DnsRecord> dnsRecords) { this.dnsRecords = dnsRecords; }
  public Map<String, List<String>> getGroups() { return groups; }
  public void setGroups(Map<String, List<String>> groups) { this.groups = groups; }
  public SshSettings getSsh() { return ssh; }
  public void setSsh(SshSettings ssh) { this.ssh = ssh; }

  public static class Site {
    private String title;
    private Map<String, Host> hosts = new LinkedHashMap<>();
    private Map<String, Database> databases = new LinkedHashMap<>();
    private Map<String, Endpoint> endpoints = new LinkedHashMap<>();

    public String getTitle() { return title; }
    public void setTitle(String title) { this.title = title; }
    public Map<String, Host> getHosts() { return hosts; }
    public void setHosts(Map<String, Host> hosts) { this.hosts = hosts; }
    public Map<String, Database> getDatabases() { return databases; }
    public void setDatabases(Map<String, Database> databases) { this.databases = databases; }
    public Map<String, Endpoint> getEndpoints() { return endpoints; }
    public void setEndpoints(Map<String, Endpoint> endpoints) { this.endpoints = endpoints; }
  }

  /** A machine: its service address (what DNS points to) and how to reach it over SSH. */
  public static class Host {
    /** The host's address on the service network; DNS records switched to this host get it. */
    private String address;
    private String hostname;
    private SshAccess ssh = new SshAccess();
    /**
     * Secret references by name (env:NAME or file:/path) that the command catalog's prompts answer
     * with on this host (dr.commands.*.prompts[].secret), e.g. timesten-password.
     */
    private Map<String, String> secrets = new LinkedHashMap<>();

    public Map<String, String> getSecrets() { return secrets; }
    public void setSecrets(Map<String, String> secrets) { this.secrets = secrets; }
    public String getAddress() { return address; }
    public void setAddress(String address) { this.address = address; }
    public String getHostname() { return hostname; }
    public void setHostname(String hostname) { this.hostname = hostname; }
    public SshAccess getSsh() { return ssh; }
    public void setSsh(SshAccess ssh) { this.ssh = ssh; }
  }

  public static class SshAccess {
    /** Where to connect for management; defaults to the host's address. */
    private String host;
    private int port = 22;
    private String user;
    /** Secret reference to the private key (OpenSSH or PEM), e.g. file:/etc/dr/keys/id_ecdsa. */
    private String privateKey;
    /** Secret reference to the key's passphrase, if it has one. */
    private String passphrase;

    public String getHost() { return host; }
    public void setHost(String host) { this.host = host; }
    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
    public String getUser() { return user; }
    public void setUser(String user) { this.user = user; }
    public String getPrivateKey() { return privateKey; }
    public void setPrivateKey(String privateKey) { this.privateKey = privateKey; }
    public String getPassphrase() { return passphrase; }
    public void setPassphrase(String passphrase) { this.passphrase = passphrase; }
  }

  public static class Database {
    private String url;
    private String username;
    /** Secret reference to the password. */
    private String password;

    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url; }
    public String getUsername() { return username; }
    public void setUsername(String username) { this.username = username; }
    public String getPassword() { return password; }
    public void setPassword(String password) { this.password = password; }
  }

  public static class Endpoint {
    private String url;
    /** Secret reference to a value sent as the Authorization header, if the endpoint needs one. */
    private String authorization;

    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url; }
    public String getAuthorization() { return authorization; }
    public void setAuthorization(String authorization) { this.authorization = authorization; }
  }

  public static class DnsServer {
    private String address;
    private int port = 53;
    private String tsigKeyName;
    /** TSIG algorithm name, e.g. hmac-sha256. */
    private String tsigAlgorithm = "hmac-sha256";
    /** Secret reference to the base64 TSIG secret. */
    private String tsigSecret;
    private Duration timeout = Duration.ofSeconds(5);

    public String getAddress() { return address; }
    public void setAddress(String address) { this.address = address; }
    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
    public String getTsigKeyName() { return tsigKeyName; }
    public void setTsigKeyName(String tsigKeyName) { this.tsigKeyName = tsigKeyName; }
    public String getTsigAlgorithm() { return tsigAlgorithm; }
    public void setTsigAlgorithm(String tsigAlgorithm) { this.tsigAlgorithm = tsigAlgorithm; }
    public String getTsigSecret() { return tsigSecret; }
    public void setTsigSecret(String tsigSecret) { this.tsigSecret = tsigSecret; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
  }

  public static class DnsRecord {
    /** Zone apex, e.g. genesys.example.com. */
    private String zone;
    /** Fully qualified record name, e.g. cs-master.genesys.example.com. */
    private String name;
    /** Logical name of the DNS server (a key of dns-servers). */
    private String server;
    private long ttl = 60;

    public String getZone() { return zone; }
    public void setZone(String zone) { this.zone = zone; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getServer() { return server; }
    public void setServer(String server) { this.server = server; }
    public long getTtl() { return ttl; }
    public void setTtl(long ttl) { this.ttl = ttl; }
  }

  public static class SshSettings {
    /** known_hosts file every SSH host key is verified against; unknown or changed keys are refused. */
    private String knownHosts;
    private Duration connectTimeout = Duration.ofSeconds(10);

    public String getKnownHosts() { return knownHosts; }
    public void setKnownHosts(String knownHosts) { this.knownHosts = knownHosts; }
    /** Authenticated sessions kept per host and reused by the following commands. */
    private SessionPool pool = new SessionPool();

    public Duration getConnectTimeout() { return connectTimeout; }
    public void setConnectTimeout(Duration connectTimeout) { this.connectTimeout = connectTimeout; }
    public SessionPool getPool() { return pool; }
    public void setPool(SessionPool pool) { this.pool = pool; }
  }

  /** {@code dr.topology.ssh.pool.*}: the SSH connector's per-host pool of authenticated sessions. */
  public static class SessionPool {
    /** false: every command opens and closes its own session (as before the pool). */
    private boolean enabled = true;
    /** Sessions open at once per host (each runs one command at a time); more commands wait. */
    private int maxSessionsPerHost = 4;
    /** An unused session is closed after this long. */
    private Duration idleTimeout = Duration.ofSeconds(60);
    /**
     * How long a command waits for a session of a host whose sessions are all busy (the step's own
     * time limit ends the wait sooner): long enough for other steps' long commands on the host.
     */
    private Duration acquireTimeout = Duration.ofMinutes(10);
    /** A session unused for longer is asked for a keep-alive reply before it is reused. */
    private Duration probeAfter = Duration.ofSeconds(5);

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public int getMaxSessionsPerHost() { return maxSessionsPerHost; }
    public void setMaxSessionsPerHost(int maxSessionsPerHost) { this.maxSessionsPerHost = maxSessionsPerHost; }
    public Duration getIdleTimeout() { return idleTimeout; }
    public void setIdleTimeout(Duration idleTimeout) { this.idleTimeout = idleTimeout; }
    public Duration getAcquireTimeout() { return acquireTimeout; }
    public void setAcquireTimeout(Duration acquireTimeout) { this.acquireTimeout = acquireTimeout; }
    public Duration getProbeAfter() { return probeAfter; }
    public void setProbeAfter(Duration probeAfter) { this.probeAfter = probeAfter; }
  }
}
