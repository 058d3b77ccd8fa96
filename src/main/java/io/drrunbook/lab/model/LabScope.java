package io.drrunbook.lab.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a model expression sees: the variables of the running step (command arguments, {@code let}
 * values, a component's attributes), the host it runs on, and functions over the whole lab. Every
 * public getter and method here is part of the model language (docs/lab-models.md lists them).
 */
public final class LabScope {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final LabWorld world;
  private final String host;
  private final Map<String, Object> variables;

  public LabScope(LabWorld world, String host, Map<String, ?> variables) {
    this.world = world;
    this.host = host;
    this.variables = new LinkedHashMap<>(variables);
  }

  /** The same host with one more (or replaced) variable. */
  public LabScope with(String name, Object value) {
    LabScope copy = new LabScope(world, host, variables);
    copy.variables.put(name, value);
    return copy;
  }

  boolean hasVariable(String name) {
    return variables.containsKey(name);
  }

  Object variable(String name) {
    return variables.get(name);
  }

  void put(String name, Object value) {
    variables.put(name, value);
  }

  // ---------------------------------------------------------------- where the step runs

  /** The logical host, e.g. site2.cs-mgmt. */
  public String getHost() {
    return host;
  }

  public String getSite() {
    return world.siteOf(host);
  }

  public String getAddress() {
    return world.addressOf(host);
  }

  public String getMainSite() {
    return world.sites().isEmpty() ? null : world.sites().get(0);
  }

  public List<String> getSites() {
    return world.sites();
  }

  /** The sites other than this host's, in topology order. */
  public List<String> getOtherSites() {
    String site = getSite();
    return world.sites().stream().filter(s -> !s.equals(site)).toList();
  }

  // ---------------------------------------------------------------- components

  public boolean hasComponent(String component) {
    return world.hasComponent(host, component);
  }

  public List<String> componentNames() {
    return world.componentNames(host);
  }

  /** A component's state on this host. */
  public String state(String component) {
    return world.state(host, component);
  }

  /** A component's state on another host. */
  public String stateOn(String otherHost, String component) {
    return world.state(otherHost, component);
  }

  public Object attr(String component, String name) {
    return world.attribute(host, component, name);
  }

  public Object attrOn(String otherHost, String component, String name) {
    return world.attribute(otherHost, component, name);
  }

  /**
   * The first host of a role whose component has this value for an attribute ({@code state} for its
   * state), or null.
   */
  public String findHost(String role, String component, String attribute, Object value) {
    String wanted = value == null ? null : String.valueOf(value);
    return world.hostsOf(role, null).stream()
        .filter(h -> world.hasComponent(h, component))
        .filter(h -> {
          Object actual = "state".equals(attribute) ? world.state(h, component) : world.attribute(h, component, attribute);
          return actual != null && String.valueOf(actual).equals(wanted);
        })
        .findFirst()
        .orElse(null);
  }

  /** Whether a host at this address has the component in state RUNNING. */
  public boolean runningAt(String address, String component) {
    if (address == null) {
      return false;
    }
    return world.hostsOf(null, null).stream()
        .anyMatch(h -> address.equals(world.addressOf(h)) && world.hasComponent(h, component)
            && "RUNNING".equals(world.state(h, component)));
  }

  /** Replication lag of a direction on this host: a fault's forced lag, else its lagSeconds. */
  public long lag(String direction) {
    OptionalLong forced = world.lagOverride(direction);
    if (forced.isPresent()) {
      return forced.getAsLong();
    }
    Object stored = attr(direction, "lagSeconds");
    return stored instanceof Number n ? n.longValue() : 0;
  }

  // ---------------------------------------------------------------- topology

  public List<String> hostsOf(String role) {
    return world.hostsOf(role, null);
  }

  /** The first host of a role on a site, or null. */
  public String firstHost(String role, String site) {
    List<String> hosts = world.hostsOf(role, site);
    return hosts.isEmpty() ? null : hosts.get(0);
  }

  public String addressOf(String otherHost) {
    return otherHost == null ? null : world.addressOf(otherHost);
  }

  /** The host name of a topology host (simulated or not), null when the topology gives it none. */
  public String hostnameOf(String otherHost) {
    return otherHost == null ? null : world.hostnameOf(otherHost);
  }

  /** 1 for the first site of the topology, 2 for the second, ... */
  public int siteNumber(String site) {
    return world.sites().indexOf(site) + 1;
  }

  // ---------------------------------------------------------------- network

  /** Resolves a name at the lab DNS server, over the network; null when it does not exist. */
  public String resolve(String name) {
    return world.resolve(name);
  }

  // ---------------------------------------------------------------- values (copies; nothing is changed in place)

  /** A copy of a list with the item added at its end (null list: empty). */
  public List<Object> plus(Collection<?> list, Object item) {
    List<Object> copy = list == null ? new ArrayList<>() : new ArrayList<>(list);
    copy.add(item);
    return copy;
  }

  /** A copy of a list without any element equal to the item (null list: empty). */
  public List<Object> minus(Collection<?> list, Object item) {
    List<Object> copy = list == null ? new ArrayList<>() : new ArrayList<>(list);
    copy.removeIf(element -> Objects.equals(element, item));
    return copy;
  }

  /** A copy of a map with one entry set (null map: empty), keeping the order of the others. */
  public Map<Object, Object> withEntry(Map<?, ?> map, Object key, Object value) {
    Map<Object, Object> copy = map == null ? new LinkedHashMap<>() : new LinkedHashMap<>(map);
    copy.put(key, value);
    return copy;
  }

  /** Whether {@code value} is the secret {@code name} of host {@code h} (a password typed at a prompt). */
  public boolean secretMatches(String h, String name, Object value) {
    return h != null && world.secretMatches(h, name, value);
  }

  /** A value as JSON text (an API call's answer): maps, lists, text, numbers, booleans, null. */
  public String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new LabModelException("cannot write " + value + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  // ---------------------------------------------------------------- files of this host

  /** The text of a file of this host (its SFTP files), null when it has none. */
  public String fileText(String path) {
    return path == null ? null : world.fileText(host, path);
  }

  /**
   * The text value of an XPath (without namespaces, as the file-edit connector's) in an XML text: an
   * attribute's value or an element's text; null when the text is null, not XML, or has no such node.
   * A commented-out element is not there.
   */
  public String xmlValue(String xml, String xpath) {
    if (xml == null || xpath == null) {
      return null;
    }
    try {
      javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(javax.xml.XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setNamespaceAware(false);
      javax.xml.parsers.DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(null);
      org.w3c.dom.Document document = builder.parse(new org.xml.sax.InputSource(new java.io.StringReader(xml)));
      org.w3c.dom.Node node = (org.w3c.dom.Node) javax.xml.xpath.XPathFactory.newInstance().newXPath()
          .evaluate(xpath, document, javax.xml.xpath.XPathConstants.NODE);
      return node == null ? null : node.getTextContent();
    } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException
        | java.io.IOException | javax.xml.xpath.XPathExpressionException e) {
      return null;
    }
  }

  /**
   * The value of a key of an ini text in a section ({@code [section]}; null or empty: before the
   * first section), trimmed; null when the text is null or the key is absent or commented out.
   */
  public String iniValue(String ini, String section, String key) {
    if (ini == null || key == null) {
      return null;
    }
    String current = "";
    String wanted = section == null ? "" : section;
    for (String raw : ini.split("\\R")) {
      String line = raw.strip();
      if (line.startsWith("[") && line.endsWith("]")) {
        current = line.substring(1, line.length() - 1).strip();
      } else if (current.equals(wanted) && !line.startsWith("#") && !line.startsWith(";")) {
        int equals = line.indexOf('=');
        if (equals > 0 && line.substring(0, equals).strip().equals(key)) {
          return line.substring(equals + 1).strip();
        }
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- text and time

  /** Two DNS names are the same, ignoring case and a trailing dot. */
  public boolean sameName(String a, String b) {
    return a != null && b != null && stripDot(a).equalsIgnoreCase(stripDot(b));
  }

  public String join(Collection<?> values) {
    return values == null ? "" : String.join(", ", values.stream().map(String::valueOf).toList());
  }

  /** The values joined with a separator: {@code join(words, ' ')}. */
  public String join(Collection<?> values, String separator) {
    return values == null ? "" : String.join(separator, values.stream().map(String::valueOf).toList());
  }

  /** {@link String#format} in the root locale. */
  public String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }

  /** Now, as ISO-8601 text (how times are stored in the state). */
  public String now() {
    return world.now().toString();
  }

  /** Now as Unix epoch seconds. */
  public long epochSeconds() {
    return world.now().getEpochSecond();
  }

  /** Formats a stored time (ISO-8601 text) with a pattern, in the lab's time zone. */
  public String time(Object iso, String pattern) {
    if (iso == null) {
      return "";
    }
    Instant instant = Instant.parse(String.valueOf(iso));
    return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).format(instant.atZone(world.zone()));
  }

  private static String stripDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  @Override
  public String toString() {
    return "scope of " + Objects.toString(host) + " " + variables.keySet();
  }
}
