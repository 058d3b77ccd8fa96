package io.drrunbook.lab;

import io.drrunbook.common.ApiException;
import io.drrunbook.lab.model.LabModelException;
import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The drill lab's state for the dashboard ({@code /lab/}) and for rehearsals: {@code GET
 * /lab/api/state} returns {@link Lab#view()}, a {@link LabView}: the sites side by side (each host's
 * components and their states, its last commands and action counts, the databases' roles), the DNS
 * zone's A records, the replication directions and the active faults, with a {@code version} that
 * changes whenever any of it does. {@code PUT /lab/api/state/{host}/{component}/{attribute}} with a
 * JSON value sets one stored attribute of a component (e.g. an older Info Mart schema version, to
 * rehearse a migration), as a model's command would; derived values cannot be set.
 */
@RestController
@Profile("lab")
@RequestMapping("/lab/api")
public class LabStateController {

  private static final Logger log = LoggerFactory.getLogger(LabStateController.class);

  private final Lab lab;
  private final LabProperties properties;

  public LabStateController(Lab lab, LabProperties properties) {
    this.lab = lab;
    this.properties = properties;
  }

  /** The artificial durations of slow lab commands, by the name a model step's {@code delay} gives. */
  @GetMapping("/command-delays")
  public Map<String, String> commandDelays() {
    Map<String, String> delays = new TreeMap<>();
    properties.getCommandDelays().forEach((name, delay) -> delays.put(name, delay.toString()));
    return delays;
  }

  /**
   * Sets how long the lab command {@code name} takes from now on (a JSON string: {@code "PT8S"} or
   * {@code "8s"}; {@code "0s"} for none), e.g. to rehearse a step that outlives its lock.
   */
  @PutMapping("/command-delays/{name}")
  public Map<String, String> setCommandDelay(@PathVariable String name, @RequestBody(required = false) Object value,
      Principal caller) {
    if (!(value instanceof String text) || text.isBlank()) {
      throw ApiException.invalid("body", "must be one JSON string: a duration such as \"PT8S\" or \"8s\"");
    }
    Duration delay;
    try {
      delay = DurationStyle.detectAndParse(text.trim());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("body", "is not a duration: " + text + " (e.g. \"PT8S\" or \"8s\")");
    }
    if (delay.isNegative()) {
      throw ApiException.invalid("body", "must not be negative: " + text);
    }
    properties.getCommandDelays().put(name, delay);
    log.info("lab command {} now takes {} (set by {})", name, delay, caller == null ? "lab" : caller.getName());
    return commandDelays();
  }

  @GetMapping("/state")
  public LabView state() {
    return lab.view();
  }

  private static final String STATE = "state";

  @PutMapping("/state/{host}/{component}/{attribute}")
  public ResponseEntity<LabState.ComponentView> set(@PathVariable String host, @PathVariable String component,
      @PathVariable String attribute, @RequestBody(required = false) Object value, Principal caller) {
    LabState state = lab.state();
    try {
      state.component(host, component);
    } catch (RuntimeException e) {
      throw ApiException.notFound("component", "the lab has no component " + component + " on " + host);
    }
    if (value != null && !(value instanceof String || value instanceof Number || value instanceof Boolean)) {
      throw ApiException.invalid("body", "must be one JSON string, number, boolean or null");
    }
    try {
      // "state" is the component's state (as the state view shows it), anything else an attribute
      state.set(host, component, STATE.equals(attribute) ? null : attribute, value);
    } catch (LabModelException e) {
      throw ApiException.invalid("attribute", e.getMessage());
    }
    log.info("lab state {}/{}.{} set to {} by {}", host, component, attribute, value,
        caller == null ? "lab" : caller.getName());
    return ResponseEntity.ok(state.component(host, component));
  }
}
