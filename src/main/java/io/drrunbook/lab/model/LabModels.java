package io.drrunbook.lab.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The lab's model files, loaded and checked together: every role defined once, component names
 * usable in set keys, every command's roles defined, every expression parsing. A broken model stops
 * the lab at start-up with the file and element named, never in the middle of a drill.
 */
public final class LabModels {

  static final Pattern ARG = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)(?::([^}]*)|(\\.\\.\\.))?}");
  private static final Pattern ACTION_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
  private static final Pattern COMPONENT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*|.*\\$\\{.*");

  /** A loaded model and where it came from. */
  public record Loaded(String location, LabModel model) {}

  private final List<Loaded> models;
  private final Map<String, LabModel.Role> roles = new LinkedHashMap<>();
  private final Map<String, String> roleSource = new LinkedHashMap<>();
  private final LabExpressions expressions = new LabExpressions();

  private LabModels(List<Loaded> models) {
    this.models = List.copyOf(models);
    for (Loaded loaded : models) {
      check(loaded);
    }
  }

  /** Loads every model at these resource locations (patterns allowed, e.g. classpath:lab/models/*.yaml). */
  public static LabModels load(List<String> locations) {
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
    ObjectMapper mapper = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    List<Loaded> loaded = new ArrayList<>();
    for (String location : locations) {
      Resource[] resources;
      try {
        resources = resolver.getResources(location);
      } catch (IOException e) {
        throw new LabModelException("cannot list lab models at " + location + ": " + e.getMessage(), e);
      }
      Arrays.sort(resources, Comparator.comparing(r -> String.valueOf(r.getFilename())));
      for (Resource resource : resources) {
        loaded.add(read(resource, mapper));
      }
    }
    if (loaded.isEmpty()) {
      throw new LabModelException("no lab model found at " + locations);
    }
    return new LabModels(loaded);
  }

  private static Loaded read(Resource resource, ObjectMapper mapper) {
    String where = resource.getDescription();
    try (InputStream in = resource.getInputStream()) {
      Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      LabModel model = mapper.convertValue(tree, LabModel.class);
      if (model == null || model.system() == null || model.system().isBlank()) {
        throw new LabModelException(where + ": a model needs 'system' (its name)");
      }
      return new Loaded(where, model);
    } catch (IOException e) {
      throw new LabModelException("cannot read lab model " + where + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new LabModelException("lab model " + where + " does not fit the model format: "
          + e.getMessage().lines().findFirst().orElse(""), e);
    } catch (RuntimeException e) {
      if (e instanceof LabModelException) {
        throw e;
      }
      throw new LabModelException("lab model " + where + " is not valid YAML: " + e.getMessage(), e);
    }
  }

  private void check(Loaded loaded) {
    String where = loaded.location() + " (" + loaded.model().system() + ")";
    loaded.model().roles().forEach((name, role) -> {
      String previous = roleSource.putIfAbsent(name, where);
      if (previous != null) {
        throw new LabModelException(where + ": role '" + name + "' is already defined by " + previous);
      }
      roles.put(name, role);
      role.components().forEach((componentName, component) -> {
        String shown = where + " role " + name + " component " + componentName;
        String effective = component.name() != null ? component.name() : componentName;
        if (!COMPONENT_NAME.matcher(effective).matches()) {
          throw new LabModelException(shown + ": a component name has letters, digits, '-' and '_' only");
        }
        if ((component.each() == null) != (component.name() == null)) {
          throw new LabModelException(shown + ": 'each' and 'name' go together");
        }
        checkTemplates(shown, component.each(), component.name(), component.state(), component.title());
        component.attributes().values().forEach(v -> checkTemplates(shown, v));
        component.derived().values().forEach(v -> checkTemplates(shown, v));
        checkActions(shown, component.actions());
      });
    });
    for (LabModel.Command command : loaded.model().commands()) {
      String shown = where + " command " + command.path();
      if (command.path() == null || command.path().isBlank()) {
        throw new LabModelException(where + ": a command needs 'path'");
      }
      if (command.roles().isEmpty()) {
        throw new LabModelException(shown + ": a command needs 'roles'");
      }
      for (LabModel.Form form : command.forms()) {
        checkArgs(shown, form.args());
        checkSteps(shown, form.steps());
      }
    }
    for (LabModel.Api api : loaded.model().apis()) {
      String shown = where + " api " + api.method() + " " + (api.path() != null ? api.path() : api.soapAction());
      if (api.roles().isEmpty() || api.method() == null || (api.path() == null && api.soapAction() == null)) {
        throw new LabModelException(shown + ": an API call needs 'roles', 'method' and 'path' or 'soap-action'");
      }
      checkSteps(shown, api.steps());
    }
  }

  private void checkActions(String where, List<LabModel.Action> actions) {
    java.util.Set<String> names = new java.util.HashSet<>();
    for (LabModel.Action action : actions) {
      String shown = where + " action " + action.name();
      if (action.name() == null || !ACTION_NAME.matcher(action.name()).matches()) {
        throw new LabModelException(shown + ": an action needs a 'name' of lower-case letters, digits and '-'");
      }
      if (!names.add(action.name())) {
        throw new LabModelException(shown + ": the component already has an action of that name");
      }
      if (action.title() == null || action.title().isBlank() || action.console() == null || action.seed() == null) {
        throw new LabModelException(shown + ": an action needs 'title', 'console' and 'seed'");
      }
      try {
        if (action.when() != null) {
          expressions.checkCondition(action.when());
        }
      } catch (LabModelException e) {
        throw new LabModelException(shown + ": " + e.getMessage(), e);
      }
      checkTemplates(shown, action.refusal(), action.to(), action.title());
      checkSteps(shown, action.steps());
    }
  }

  /** After every model is read: commands and API calls name roles some model defines. */
  public LabModels checkReferences() {
    for (Loaded loaded : models) {
      for (LabModel.Command command : loaded.model().commands()) {
        command.roles().forEach(role -> requireRole(role, loaded.location() + " command " + command.path()));
      }
      for (LabModel.Api api : loaded.model().apis()) {
        api.roles().forEach(role -> requireRole(role, loaded.location() + " api " + api.path()));
      }
    }
    return this;
  }

  private void requireRole(String role, String where) {
    if (!roles.containsKey(role)) {
      throw new LabModelException(where + ": role '" + role + "' is not defined by any model (defined: "
          + roles.keySet() + ")");
    }
  }

  private void checkArgs(String where, List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      Matcher m = ARG.matcher(args.get(i));
      if (m.matches() && m.group(3) != null && i != args.size() - 1) {
        throw new LabModelException(where + ": '" + args.get(i) + "' (the rest of the words) must come last");
      }
    }
  }

  private void checkSteps(String where, List<LabModel.Step> steps) {
    for (LabModel.Step step : steps) {
      try {
        if (step.when() != null) {
          expressions.checkCondition(step.when());
        }
        checkTemplates(where, step.each(), step.count(), step.print(), step.stderr(), step.fail());
        if (step.status() != null) {
          checkTemplates(where, step.status());
        }
        step.let().values().forEach(v -> checkTemplates(where, v));
        step.set().forEach((k, v) -> checkTemplates(where, k, v));
      } catch (LabModelException e) {
        throw new LabModelException(where + ": " + e.getMessage(), e);
      }
      checkSteps(where, step.steps());
    }
  }

  private void checkTemplates(String where, Object... templates) {
    for (Object template : templates) {
      if (template instanceof String text) {
        try {
          expressions.checkTemplate(text);
        } catch (LabModelException e) {
          throw new LabModelException(where + ": " + e.getMessage(), e);
        }
      }
    }
  }

  public List<Loaded> models() {
    return models;
  }

  public LabExpressions expressions() {
    return expressions;
  }

  public boolean hasRole(String role) {
    return roles.containsKey(role);
  }

  public LabModel.Role role(String role) {
    LabModel.Role found = roles.get(role);
    if (found == null) {
      throw new LabModelException("role '" + role + "' is not defined by any lab model (defined: " + roles.keySet() + ")");
    }
    return found;
  }

  /** The command a program word names on a host of this role: by its path or its bare name. */
  public Optional<LabModel.Command> command(String role, String program) {
    return models.stream().flatMap(l -> l.model().commands().stream())
        .filter(c -> c.roles().contains(role))
        .filter(c -> program.equals(c.path()) || program.equals(c.name()))
        .findFirst();
  }

  /** The API calls a host of this role answers, in model order. */
  public List<LabModel.Api> apis(String role) {
    return models.stream().flatMap(l -> l.model().apis().stream())
        .filter(a -> a.roles().contains(role))
        .toList();
  }

  /**
   * Matches command words against a form's argument patterns: the captured variables, or empty if the
   * words do not fit ({@code {var...}} takes the remaining words, possibly none, as a list).
   */
  public static Optional<Map<String, Object>> match(List<String> patterns, List<String> words) {
    Map<String, Object> variables = new LinkedHashMap<>();
    for (int i = 0; i < patterns.size(); i++) {
      String pattern = patterns.get(i);
      Matcher m = ARG.matcher(pattern);
      boolean variable = m.matches();
      if (variable && m.group(3) != null) {
        variables.put(m.group(1), List.copyOf(words.subList(Math.min(i, words.size()), words.size())));
        return Optional.of(variables);
      }
      if (i >= words.size()) {
        return Optional.empty();
      }
      String word = words.get(i);
      if (!variable) {
        if (!pattern.equals(word)) {
          return Optional.empty();
        }
      } else {
        if (m.group(2) != null && !List.of(m.group(2).split("\\|", -1)).contains(word)) {
          return Optional.empty();
        }
        variables.put(m.group(1), word);
      }
    }
    return words.size() == patterns.size() ? Optional.of(variables) : Optional.empty();
  }
}
