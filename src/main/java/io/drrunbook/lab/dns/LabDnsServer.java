package io.drrunbook.lab.dns;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/**
 * A small authoritative DNS server for one zone, built on dnsjava: the drill lab's {@code lab-dns}
 * and the server the DNS connector tests talk to. It listens on UDP and TCP (two-byte length prefix)
 * on the same port, answers queries for names of its zone ({@code AA} set; {@code NXDOMAIN} for
 * absent names, {@code REFUSED} for names outside the zone) and applies RFC 2136 dynamic updates.
 *
 * <p>Updates must be signed with the TSIG key given to the constructor (RFC 8945):
 * <ul>
 *   <li>an unsigned update is answered {@code REFUSED} (as BIND answers an update its
 *       {@code allow-update} policy denies);</li>
 *   <li>an update signed with another key name or algorithm is answered {@code NOTAUTH} with the
 *       TSIG error {@code BADKEY}, one with a wrong signature {@code NOTAUTH}/{@code BADSIG}, one
 *       signed outside the time fudge {@code NOTAUTH}/{@code BADTIME}; these answers carry the TSIG
 *       error but no MAC, as the RFC requires.</li>
 * </ul>
 * Prerequisites (RFC 2136 section 3.2) and the update section (3.4) are honoured; the zone's SOA
 * serial goes up by one with every update that changed the zone. A validly signed request gets a
 * signed answer. CNAME chasing, wildcards, delegations and zone transfers are not implemented (the
 * lab does not need them; AXFR/IXFR are answered {@code NOTIMP}).
 *
 * <p>Fault switches for drills: {@link #setRefuseUpdates(boolean)} and {@link #setServfail(boolean)}.
 * What it received is kept in {@link #updatesReceived()} and {@link #lastUpdate()}.
 */
public class LabDnsServer implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(LabDnsServer.class);

  private static final int UDP_PLAIN_LIMIT = 512;
  private static final int EDNS_PAYLOAD = 1232;
  private static final int TCP_IDLE_TIMEOUT_MS = 30_000;
  private static final int BIND_ATTEMPTS = 20;
  private static final long SOA_TTL = 3600;

  private final InetAddress bindAddress;
  private final int requestedPort;
  private final Name zone;
  private final TSIG updateKey;

  /** name -> type -> records of that RRset; guarded by {@code this}. */
  private final NavigableMap<Name, Map<Integer, List<Record>>> data = new TreeMap<>();

  private final Object listenerLock = new Object();
  private final AtomicInteger updatesReceived = new AtomicInteger();
  private final AtomicInteger updatesApplied = new AtomicInteger();
  private final AtomicReference<UpdateSummary> lastUpdate = new AtomicReference<>();

  private volatile Consumer<List<Record>> changeListener = records -> { };
  private volatile boolean refuseUpdates;
  private volatile boolean servfail;
  private volatile boolean running;

  /** The port of the last successful bind, 0 before the first; guarded by {@code this}. */
  private int boundPort;
  private DatagramSocket udpSocket;
  private ServerSocket tcpSocket;
  private ExecutorService executor;

  /**
   * A server for {@code zone} that will listen on {@code bind}:{@code port} ({@code 0}: a free
   * port, see {@link #port()}) once {@link #start() started}. The zone starts with its SOA, one NS
   * record ({@code ns1.<zone>}) and that name's A record.
   */
  public LabDnsServer(InetAddress bind, int port, Name zone, TSIG updateKey) {
    this.bindAddress = Objects.requireNonNull(bind, "bind");
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    this.requestedPort = port;
    if (!Objects.requireNonNull(zone, "zone").isAbsolute()) {
      throw new IllegalArgumentException("the zone name must be absolute (end with a dot): " + zone);
    }
    this.zone = zone;
    this.updateKey = Objects.requireNonNull(updateKey, "updateKey");
    synchronized (this) {
      seedApex();
    }
  }

  // ---------------------------------------------------------------- life cycle

  /**
   * Binds UDP, then TCP on the same port (retrying with another free port if port 0 was asked).
   * Started again after {@link #close()}, it binds the port it had before (the zone is kept): the
   * drill lab closes and reopens its DNS server for the "unreachable" fault.
   */
  public synchronized void start() throws IOException {
    if (running) {
      return;
    }
    int port = boundPort != 0 ? boundPort : requestedPort;
    IOException lastFailure = null;
    int attempts = port == 0 ? BIND_ATTEMPTS : 1;
    for (int attempt = 0; attempt < attempts && udpSocket == null; attempt++) {
      DatagramSocket udp = new DatagramSocket(null);
      try {
        udp.bind(new InetSocketAddress(bindAddress, port));
        ServerSocket tcp = new ServerSocket();
        try {
          tcp.setReuseAddress(true);
          tcp.bind(new InetSocketAddress(bindAddress, udp.getLocalPort()), 50);
        } catch (IOException e) {
          tcp.close();
          throw e;
        }
        udpSocket = udp;
        tcpSocket = tcp;
      } catch (BindException e) {
        udp.close();
        lastFailure = e;
      } catch (IOException | RuntimeException e) {
        udp.close();
        throw e;
      }
    }
    if (udpSocket == null) {
      throw new BindException("cannot bind DNS server for " + zone + " to " + bindAddress
          + ":" + port + ": " + (lastFailure == null ? "" : lastFailure.getMessage()));
    }
    boundPort = udpSocket.getLocalPort();
    running = true;
    AtomicInteger threads = new AtomicInteger();
    executor = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "lab-dns-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    executor.execute(this::serveUdp);
    executor.execute(this::acceptTcp);
    log.info("Lab DNS server for zone {} listening on {}:{} (UDP and TCP)",
        zone, bindAddress.getHostAddress(), port());
  }

  /** The port the server listens (or listened) on: the actual one when started with port 0. */
  public synchronized int port() {
    return boundPort != 0 ? boundPort : requestedPort;
  }

  public InetAddress bindAddress() {
    return bindAddress;
  }

  public Name zone() {
    return zone;
  }

  public boolean isRunning() {
    return running;
  }

  @Override
  public synchronized void close() {
    running = false;
    if (udpSocket != null) {
      udpSocket.close();
      udpSocket = null;
    }
    if (tcpSocket != null) {
      try {
        tcpSocket.close();
      } catch (IOException e) {
        log.debug("closing the DNS TCP socket failed", e);
      }
      tcpSocket = null;
    }
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  // ---------------------------------------------------------------- zone content

  /** Sets the A RRset of {@code name} to exactly {@code address} (replacing what was there). */
  public void setA(Name name, InetAddress address, long ttl) {
    synchronized (this) {
      requireInZone(name);
      Record record = new ARecord(name, DClass.IN, ttl, address);
      rrsets(name, true).put(Type.A, new ArrayList<>(List.of(record)));
      bumpSerial();
    }
    notifyListener();
  }

  /** The addresses of {@code name}'s A RRset, empty if it has none. */
  public synchronized List<InetAddress> addresses(Name name) {
    Map<Integer, List<Record>> byType = data.get(name);
    if (byType == null || !byType.containsKey(Type.A)) {
      return List.of();
    }
    return byType.get(Type.A).stream().map(r -> ((ARecord) r).getAddress()).toList();
  }

  /** A snapshot of every record of the zone, SOA first. */
  public synchronized List<Record> records() {
    return snapshot();
  }

  /**
   * Replaces the zone's content, e.g. with records read back from a master file. Every record must
   * belong to the zone; if there is no SOA (or no NS) at the apex, the default ones are kept.
   */
  public void replaceRecords(Collection<? extends Record> records) {
    synchronized (this) {
      for (Record record : records) {
        requireInZone(record.getName());
      }
      data.clear();
      for (Record record : records) {
        if (record.getType() == Type.SOA && !record.getName().equals(zone)) {
          throw new IllegalArgumentException("an SOA record belongs at the zone apex: " + record);
        }
        addRecord(record);
      }
      Map<Integer, List<Record>> apex = rrsets(zone, true);
      if (!apex.containsKey(Type.SOA) || !apex.containsKey(Type.NS)) {
        Map<Integer, List<Record>> kept = new LinkedHashMap<>(apex);
        seedApex();
        apex.putAll(kept);
      }
    }
    notifyListener();
  }

  /** The zone in master-file format (SOA first, absolute names). */
  public String toMasterFile() {
    StringBuilder text = new StringBuilder();
    text.append("$ORIGIN ").append(zone).append('\n');
    for (Record record : records()) {
      text.append(record).append('\n');
    }
    return text.toString();
  }

  /** Called with a snapshot of the zone after every change (applied update, setA, replaceRecords). */
  public void setChangeListener(Consumer<List<Record>> listener) {
    this.changeListener = listener == null ? records -> { } : listener;
  }

  // ---------------------------------------------------------------- fault switches and record

  /** While on, every UPDATE is answered REFUSED (after its TSIG was checked). */
  public void setRefuseUpdates(boolean refuse) {
    this.refuseUpdates = refuse;
  }

  /** While on, every message (query or update) is answered SERVFAIL. */
  public void setServfail(boolean servfail) {
    this.servfail = servfail;
  }

  public boolean isRefusingUpdates() {
    return refuseUpdates;
  }

  public boolean isServfail() {
    return servfail;
  }

  /** UPDATE messages received, whatever the answer (refused, failed prerequisites, applied). */
  public int updatesReceived() {
    return updatesReceived.get();
  }

  /** UPDATE messages applied (answered NOERROR). */
  public int updatesApplied() {
    return updatesApplied.get();
  }

  /** The last UPDATE message received and how it was answered. */
  public Optional<UpdateSummary> lastUpdate() {
    return Optional.ofNullable(lastUpdate.get());
  }

  /**
   * One received UPDATE: when, from where, signed with which key ({@code null}: unsigned), the
   * answer's rcode (and TSIG error, if any), and the prerequisite and update records as text.
   */
  public record UpdateSummary(Instant receivedAt, String client, String keyName, String rcode,
      List<String> prerequisites, List<String> updates) {
    @Override
    public String toString() {
      return "UPDATE from " + client + " key " + (keyName == null ? "(unsigned)" : keyName)
          + " -> " + rcode + "; prerequisites " + prerequisites + "; updates " + updates;
    }
  }

  // ---------------------------------------------------------------- transport

  private void serveUdp() {
    DatagramSocket socket;
    synchronized (this) {
      socket = udpSocket;
    }
    byte[] buffer = new byte[65535];
    while (running && socket != null && !socket.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        byte[] in = Arrays.copyOf(packet.getData(), packet.getLength());
        byte[] out = handle(in, packet.getAddress(), true);
        if (out != null) {
          socket.send(new DatagramPacket(out, out.length, packet.getSocketAddress()));
        }
      } catch (SocketException e) {
        if (running) {
          log.warn("lab DNS UDP socket failed", e);
        }
        return;
      } catch (IOException | RuntimeException e) {
        log.warn("lab DNS could not answer a UDP message", e);
      }
    }
  }

  private void acceptTcp() {
    ServerSocket server;
    synchronized (this) {
      server = tcpSocket;
    }
    while (running && server != null && !server.isClosed()) {
      try {
        Socket client = server.accept();
        ExecutorService pool = executor;
        if (pool == null) {
          client.close();
          return;
        }
        pool.execute(() -> serveTcp(client));
      } catch (IOException e) {
        if (running) {
          log.warn("lab DNS TCP accept failed", e);
        }
      } catch (RuntimeException e) {
        // the executor was shut down while accepting
        return;
      }
    }
  }

  private void serveTcp(Socket client) {
    try (client) {
      client.setSoTimeout(TCP_IDLE_TIMEOUT_MS);
      DataInputStream input = new DataInputStream(client.getInputStream());
      OutputStream output = client.getOutputStream();
      while (running) {
        int length;
        try {
          length = input.readUnsignedShort();
        } catch (EOFException | SocketTimeoutException e) {
          return;
        }
        byte[] in = new byte[length];
        input.readFully(in);
        byte[] out = handle(in, client.getInetAddress(), false);
        if (out == null) {
          return;
        }
        byte[] framed = new byte[out.length + 2];
        framed[0] = (byte) (out.length >>> 8);
        framed[1] = (byte) out.length;
        System.arraycopy(out, 0, framed, 2, out.length);
        output.write(framed);
        output.flush();
      }
    } catch (IOException e) {
      if (running) {
        log.debug("lab DNS TCP connection ended: {}", e.toString());
      }
    }
  }

  // ---------------------------------------------------------------- message handling

  /** Answers one message; {@code null} if it cannot be answered at all (too short to have an id). */
  byte[] handle(byte[] in, InetAddress client, boolean udp) {
    Message query;
    try {
      query = new Message(in);
    } catch (IOException e) {
      if (in.length < Header.LENGTH) {
        return null;
      }
      Message formerr = new Message(((in[0] & 0xFF) << 8) | (in[1] & 0xFF));
      formerr.getHeader().setFlag(Flags.QR);
      formerr.getHeader().setRcode(Rcode.FORMERR);
      return formerr.toWire();
    }
    if (query.getHeader().getFlag(Flags.QR)) {
      return null;
    }
    int maxLength = udp ? udpLimit(query) : 0xFFFF;
    Message response = newResponse(query);

    // TSIG first: a signed request with a bad signature gets NOTAUTH whatever it asked
    TSIGRecord queryTsig = query.getTSIG();
    boolean verified = false;
    if (queryTsig != null) {
      int tsigError = updateKey.verify(query, in, null);
      if (tsigError != Rcode.NOERROR) {
        response.getHeader().setRcode(Rcode.NOTAUTH);
        // BADTIME answers are signed (with our key); BADKEY/BADSIG answers carry no MAC
        response.setTSIG(tsigError == Rcode.BADTIME ? updateKey : errorKey(queryTsig), tsigError,
            queryTsig);
        if (query.getHeader().getOpcode() == Opcode.UPDATE) {
          recordUpdate(query, client, "NOTAUTH (TSIG " + Rcode.TSIGstring(tsigError) + ")");
        }
        log.info("lab DNS: request from {} failed TSIG verification: {}",
            client.getHostAddress(), Rcode.TSIGstring(tsigError));
        return response.toWire(maxLength);
      }
      verified = true;
      response.setTSIG(updateKey, Rcode.NOERROR, queryTsig);
    }

    if (servfail) {
      response.getHeader().setRcode(Rcode.SERVFAIL);
      if (query.getHeader().getOpcode() == Opcode.UPDATE) {
        recordUpdate(query, client, "SERVFAIL");
      }
      return response.toWire(maxLength);
    }

    try {
      switch (query.getHeader().getOpcode()) {
        case Opcode.QUERY -> answerQuery(query, response);
        case Opcode.UPDATE -> answerUpdate(query, response, verified, client);
        default -> response.getHeader().setRcode(Rcode.NOTIMP);
      }
    } catch (RuntimeException e) {
      log.warn("lab DNS failed to process a message from {}", client.getHostAddress(), e);
      response = newResponse(query);
      response.getHeader().setRcode(Rcode.SERVFAIL);
      if (verified) {
        response.setTSIG(updateKey, Rcode.NOERROR, queryTsig);
      }
    }
    return response.toWire(maxLength);
  }

  private static int udpLimit(Message query) {
    OPTRecord opt = query.getOPT();
    return opt == null ? UDP_PLAIN_LIMIT : Math.max(UDP_PLAIN_LIMIT, opt.getPayloadSize());
  }

  private static Message newResponse(Message query) {
    Message response = new Message(query.getHeader().getID());
    Header header = response.getHeader();
    header.setFlag(Flags.QR);
    header.setOpcode(query.getHeader().getOpcode());
    if (query.getHeader().getFlag(Flags.RD)) {
      header.setFlag(Flags.RD);
    }
    Record question = query.getQuestion();
    if (question != null) {
      response.addRecord(question, Section.QUESTION);
    }
    if (query.getOPT() != null) {
      response.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
    }
    return response;
  }

  /**
   * The key to put in a NOTAUTH answer's TSIG record: the request's own key name and algorithm
   * (the answer carries no MAC, so no secret is used), or ours if the algorithm is unknown.
   */
  private TSIG errorKey(TSIGRecord queryTsig) {
    try {
      return new TSIG(queryTsig.getAlgorithm(), queryTsig.getName(), new byte[32]);
    } catch (IllegalArgumentException e) {
      return updateKey;
    }
  }

  // ---------------------------------------------------------------- QUERY

  private void answerQuery(Message query, Message response) {
    Record question = query.getQuestion();
    if (question == null || query.getSection(Section.QUESTION).size() != 1) {
      response.getHeader().setRcode(Rcode.FORMERR);
      return;
    }
    Name name = question.getName();
    int type = question.getType();
    if (!name.subdomain(zone)
        || (question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY)) {
      response.getHeader().setRcode(Rcode.REFUSED);
      return;
    }
    if (type == Type.AXFR || type == Type.IXFR) {
      response.getHeader().setRcode(Rcode.NOTIMP);
      return;
    }
    response.getHeader().setFlag(Flags.AA);
    synchronized (this) {
      if (!nameInUse(name)) {
        response.getHeader().setRcode(Rcode.NXDOMAIN);
        response.addRecord(soa(), Section.AUTHORITY);
        return;
      }
      Map<Integer, List<Record>> byType = data.getOrDefault(name, Map.of());
      List<Record> answer = new ArrayList<>();
      if (type == Type.ANY) {
        byType.values().forEach(answer::addAll);
      } else {
        answer.addAll(byType.getOrDefault(type, List.of()));
      }
      if (answer.isEmpty()) {
        response.addRecord(soa(), Section.AUTHORITY);
      } else {
        answer.forEach(r -> response.addRecord(r, Section.ANSWER));
      }
    }
  }

  // ---------------------------------------------------------------- UPDATE (RFC 2136)

  private void answerUpdate(Message query, Message response, boolean verified, InetAddress client) {
    if (!verified) {
      response.getHeader().setRcode(Rcode.REFUSED);
      recordUpdate(query, client, "REFUSED (unsigned)");
      log.info("lab DNS: refused an unsigned update from {}", client.getHostAddress());
      return;
    }
    if (refuseUpdates) {
      response.getHeader().setRcode(Rcode.REFUSED);
      recordUpdate(query, client, "REFUSED (updates switched off)");
      return;
    }
    int rcode;
    synchronized (this) {
      rcode = applyUpdate(query);
    }
    response.getHeader().setRcode(rcode);
    recordUpdate(query, client, Rcode.string(rcode));
    if (rcode == Rcode.NOERROR) {
      updatesApplied.incrementAndGet();
      notifyListener();
    }
  }

  /** Checks zone, prerequisites and update section, then applies; the answer's rcode. */
  private int applyUpdate(Message update) {
    // 3.1: the zone section holds exactly one SOA-typed record naming our zone
    List<Record> zoneSection = update.getSection(Section.ZONE);
    if (zoneSection.size() != 1 || zoneSection.get(0).getType() != Type.SOA) {
      return Rcode.FORMERR;
    }
    Record zoneRecord = zoneSection.get(0);
    if (!zoneRecord.getName().equals(zone) || zoneRecord.getDClass() != DClass.IN) {
      return Rcode.NOTAUTH;
    }
    int prerequisites = checkPrerequisites(update.getSection(Section.PREREQ));
    if (prerequisites != Rcode.NOERROR) {
      return prerequisites;
    }
    List<Record> updates = update.getSection(Section.UPDATE);
    int prescan = prescan(updates);
    if (prescan != Rcode.NOERROR) {
      return prescan;
    }
    boolean changed = false;
    for (Record record : updates) {
      changed |= applyOne(record);
    }
    if (changed) {
      bumpSerial();
    }
    return Rcode.NOERROR;
  }

  /** RFC 2136 3.2. */
  private int checkPrerequisites(List<Record> prerequisites) {
    Map<Name, Map<Integer, List<Record>>> valueDependent = new LinkedHashMap<>();
    for (Record rr : prerequisites) {
      if (rr.getTTL() != 0) {
        return Rcode.FORMERR;
      }
      if (!rr.getName().subdomain(zone)) {
        return Rcode.NOTZONE;
      }
      boolean empty = hasNoRdata(rr);
      if (rr.getDClass() == DClass.ANY) {
        if (!empty) {
          return Rcode.FORMERR;
        }
        if (rr.getType() == Type.ANY) {
          if (!nameInUse(rr.getName())) {
            return Rcode.NXDOMAIN;
          }
        } else if (rrset(rr.getName(), rr.getType()).isEmpty()) {
          return Rcode.NXRRSET;
        }
      } else if (rr.getDClass() == DClass.NONE) {
        if (!empty) {
          return Rcode.FORMERR;
        }
        if (rr.getType() == Type.ANY) {
          if (nameInUse(rr.getName())) {
            return Rcode.YXDOMAIN;
          }
        } else if (!rrset(rr.getName(), rr.getType()).isEmpty()) {
          return Rcode.YXRRSET;
        }
      } else if (rr.getDClass() == DClass.IN) {
        List<Record> expected = valueDependent
            .computeIfAbsent(rr.getName(), n -> new LinkedHashMap<>())
            .computeIfAbsent(rr.getType(), t -> new ArrayList<>());
        if (!expected.contains(rr)) {
          expected.add(rr);
        }
      } else {
        return Rcode.FORMERR;
      }
    }
    for (Map.Entry<Name, Map<Integer, List<Record>>> byName : valueDependent.entrySet()) {
      for (Map.Entry<Integer, List<Record>> byType : byName.getValue().entrySet()) {
        List<Record> actual = rrset(byName.getKey(), byType.getKey());
        List<Record> expected = byType.getValue();
        // Record.equals compares name, type, class and rdata, not the TTL
        if (actual.size() != expected.size() || !actual.containsAll(expected)) {
          return Rcode.NXRRSET;
        }
      }
    }
    return Rcode.NOERROR;
  }

  /** RFC 2136 3.4.1. */
  private int prescan(List<Record> updates) {
    for (Record rr : updates) {
      if (!rr.getName().subdomain(zone)) {
        return Rcode.NOTZONE;
      }
      int type = rr.getType();
      boolean metaType = type == Type.ANY || type == Type.AXFR || type == Type.IXFR
          || type == Type.MAILA || type == Type.MAILB || type == Type.OPT || type == Type.TSIG;
      if (rr.getDClass() == DClass.IN) {
        if (metaType || hasNoRdata(rr)) {
          return Rcode.FORMERR;
        }
      } else if (rr.getDClass() == DClass.ANY) {
        if (rr.getTTL() != 0 || !hasNoRdata(rr) || (metaType && type != Type.ANY)) {
          return Rcode.FORMERR;
        }
      } else if (rr.getDClass() == DClass.NONE) {
        if (rr.getTTL() != 0 || metaType) {
          return Rcode.FORMERR;
        }
      } else {
        return Rcode.FORMERR;
      }
    }
    return Rcode.NOERROR;
  }

  /** RFC 2136 3.4.2, one record; whether the zone changed. */
  private boolean applyOne(Record rr) {
    Name name = rr.getName();
    int type = rr.getType();
    boolean apex = name.equals(zone);
    if (rr.getDClass() == DClass.IN) {
      if (type == Type.SOA) {
        if (!apex) {
          return false;
        }
        long current = soa().getSerial();
        if (((SOARecord) rr).getSerial() <= current) {
          return false;
        }
        rrsets(name, true).put(Type.SOA, new ArrayList<>(List.of(rr)));
        return true;
      }
      List<Record> rrset = rrsets(name, true).computeIfAbsent(type, t -> new ArrayList<>());
      boolean present = rrset.contains(rr);
      boolean ttlChanged = !rrset.isEmpty() && rrset.get(0).getTTL() != rr.getTTL();
      rrset.remove(rr);
      rrset.add(rr);
      // one TTL per RRset (RFC 2181 5.2): the newest wins
      rrset.replaceAll(r -> r.getTTL() == rr.getTTL() ? r : copy(r, DClass.IN, rr.getTTL()));
      return !present || ttlChanged;
    }
    if (rr.getDClass() == DClass.ANY) {
      Map<Integer, List<Record>> byType = data.get(name);
      if (byType == null) {
        return false;
      }
      if (type == Type.ANY) {
        boolean changed = false;
        for (Integer t : List.copyOf(byType.keySet())) {
          if (!(apex && (t == Type.SOA || t == Type.NS))) {
            byType.remove(t);
            changed = true;
          }
        }
        pruneIfEmpty(name);
        return changed;
      }
      if (apex && (type == Type.SOA || type == Type.NS)) {
        return false;
      }
      boolean changed = byType.remove(type) != null;
      pruneIfEmpty(name);
      return changed;
    }
    // class NONE: delete one RR
    if (apex && type == Type.SOA) {
      return false;
    }
    Map<Integer, List<Record>> byType = data.get(name);
    if (byType == null || !byType.containsKey(type)) {
      return false;
    }
    List<Record> rrset = byType.get(type);
    if (apex && type == Type.NS && rrset.size() == 1) {
      return false;
    }
    boolean changed = rrset.remove(copy(rr, DClass.IN, 0));
    if (rrset.isEmpty()) {
      byType.remove(type);
    }
    pruneIfEmpty(name);
    return changed;
  }

  // ---------------------------------------------------------------- zone helpers (hold the lock)

  private void seedApex() {
    Name ns = nsName();
    InetAddress nsAddress = bindAddress.isAnyLocalAddress()
        ? InetAddress.getLoopbackAddress() : bindAddress;
    Map<Integer, List<Record>> apex = rrsets(zone, true);
    apex.put(Type.SOA, new ArrayList<>(List.of(new SOARecord(zone, DClass.IN, SOA_TTL, ns,
        hostmaster(), 1, 3600, 600, 86400, 60))));
    apex.put(Type.NS, new ArrayList<>(List.of(new NSRecord(zone, DClass.IN, SOA_TTL, ns))));
    if (nsAddress instanceof java.net.Inet4Address) {
      rrsets(ns, true).putIfAbsent(Type.A,
          new ArrayList<>(List.of(new ARecord(ns, DClass.IN, SOA_TTL, nsAddress))));
    }
  }

  private Name nsName() {
    return concatenate("ns1");
  }

  private Name hostmaster() {
    return concatenate("hostmaster");
  }

  private Name concatenate(String label) {
    try {
      return Name.fromString(label, zone);
    } catch (org.xbill.DNS.TextParseException e) {
      throw new IllegalStateException(e);
    }
  }

  private SOARecord soa() {
    return (SOARecord) data.get(zone).get(Type.SOA).get(0);
  }

  private void bumpSerial() {
    SOARecord old = soa();
    long serial = (old.getSerial() + 1) & 0xFFFFFFFFL;
    SOARecord next = new SOARecord(zone, DClass.IN, old.getTTL(), old.getHost(), old.getAdmin(),
        serial == 0 ? 1 : serial, old.getRefresh(), old.getRetry(), old.getExpire(),
        old.getMinimum());
    data.get(zone).put(Type.SOA, new ArrayList<>(List.of(next)));
  }

  private void addRecord(Record record) {
    Record normalized = record.getDClass() == DClass.IN
        ? record : copy(record, DClass.IN, record.getTTL());
    List<Record> rrset = rrsets(record.getName(), true)
        .computeIfAbsent(record.getType(), t -> new ArrayList<>());
    if (record.getType() == Type.SOA) {
      rrset.clear();
    }
    rrset.remove(normalized);
    rrset.add(normalized);
  }

  private Map<Integer, List<Record>> rrsets(Name name, boolean create) {
    return create ? data.computeIfAbsent(name, n -> new TreeMap<>()) : data.get(name);
  }

  private List<Record> rrset(Name name, int type) {
    Map<Integer, List<Record>> byType = data.get(name);
    return byType == null ? List.of() : byType.getOrDefault(type, List.of());
  }

  private void pruneIfEmpty(Name name) {
    Map<Integer, List<Record>> byType = data.get(name);
    if (byType != null) {
      byType.values().removeIf(List::isEmpty);
      if (byType.isEmpty()) {
        data.remove(name);
      }
    }
  }

  /** A name is in use if it owns records or is an empty non-terminal above a name that does. */
  private boolean nameInUse(Name name) {
    if (data.containsKey(name)) {
      return true;
    }
    for (Name owner : data.keySet()) {
      if (owner.subdomain(name)) {
        return true;
      }
    }
    return false;
  }

  private void requireInZone(Name name) {
    if (!name.isAbsolute() || !name.subdomain(zone)) {
      throw new IllegalArgumentException(name + " is not in zone " + zone);
    }
  }

  private List<Record> snapshot() {
    List<Record> all = new ArrayList<>();
    all.addAll(rrset(zone, Type.SOA));
    data.forEach((name, byType) -> byType.forEach((type, records) -> {
      if (!(type == Type.SOA && name.equals(zone))) {
        all.addAll(records);
      }
    }));
    return List.copyOf(all);
  }

  /**
   * Hands the listener the zone as it is now. Serialised, and the snapshot is taken inside the
   * listener lock, so the last call always sees the latest zone even when updates race.
   */
  private void notifyListener() {
    synchronized (listenerLock) {
      try {
        changeListener.accept(records());
      } catch (RuntimeException e) {
        log.warn("lab DNS change listener failed", e);
      }
    }
  }

  private void recordUpdate(Message update, InetAddress client, String outcome) {
    updatesReceived.incrementAndGet();
    TSIGRecord tsig = update.getTSIG();
    lastUpdate.set(new UpdateSummary(Instant.now(), client.getHostAddress(),
        tsig == null ? null : tsig.getName().toString(), outcome,
        describe(update.getSection(Section.PREREQ)), describe(update.getSection(Section.UPDATE))));
    log.info("lab DNS: {}", lastUpdate.get());
  }

  private static List<String> describe(List<Record> records) {
    return records.stream()
        .map(r -> (r.getName() + " " + DClass.string(r.getDClass()) + " " + Type.string(r.getType())
            + " " + r.rdataToString()).strip())
        .toList();
  }

  private static boolean hasNoRdata(Record record) {
    return record.rdataToWireCanonical().length == 0;
  }

  private static Record copy(Record record, int dclass, long ttl) {
    return Record.newRecord(record.getName(), record.getType(), dclass, ttl,
        record.rdataToWireCanonical());
  }
}
