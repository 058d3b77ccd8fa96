package io.drrunbook.lab.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.expression.AccessException;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.PropertyAccessor;
import org.springframework.expression.TypedValue;
import org.springframework.expression.common.TemplateParserContext;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.DataBindingMethodResolver;
import org.springframework.expression.spel.support.DataBindingPropertyAccessor;
import org.springframework.expression.spel.support.SimpleEvaluationContext;

/**
 * Evaluates the expressions of lab models: templates ({@code "text ${expr} text"}, where a template
 * that is exactly one {@code ${expr}} yields the expression's value, not its text) and conditions
 * (one expression). Spring Expression Language in its restricted form: no type references, no
 * constructors, no bean references, no assignment; names resolve to the step's variables first, then
 * to the read-only properties and methods of the {@link LabScope}. Parsed expressions are cached.
 */
public final class LabExpressions {

  private static final TemplateParserContext TEMPLATE = new TemplateParserContext("${", "}");
  private final SpelExpressionParser parser = new SpelExpressionParser();
  private final Map<String, Expression> templates = new ConcurrentHashMap<>();
  private final Map<String, Expression> conditions = new ConcurrentHashMap<>();

  /** Parses a template now, so that a model with a broken expression fails at start-up. */
  public void checkTemplate(String template) {
    template(template);
  }

  /** Parses a condition now, so that a model with a broken expression fails at start-up. */
  public void checkCondition(String condition) {
    condition(condition);
  }

  /** The value of a template: a String, or the value of its only expression; non-strings pass through. */
  public Object value(Object template, LabScope scope) {
    if (!(template instanceof String text)) {
      return template;
    }
    try {
      return template(text).getValue(context(scope));
    } catch (EvaluationException e) {
      throw failure(text, e);
    }
  }

  /** The text of a template; null becomes the empty string. */
  public String text(String template, LabScope scope) {
    Object value = value(template, scope);
    return value == null ? "" : String.valueOf(value);
  }

  /** Whether a condition holds; absent means it does. */
  public boolean holds(String condition, LabScope scope) {
    if (condition == null || condition.isBlank()) {
      return true;
    }
    try {
      return Boolean.TRUE.equals(condition(condition).getValue(context(scope), Boolean.class));
    } catch (EvaluationException e) {
      throw failure(condition, e);
    }
  }

  private static RuntimeException failure(String expression, EvaluationException e) {
    Throwable cause = e.getCause();
    while (cause != null) {
      if (cause instanceof LabCommandException command) {
        return command;
      }
      cause = cause.getCause();
    }
    return new LabModelException("expression '" + expression + "' failed: " + e.getMessage(), e);
  }

  private Expression template(String text) {
    return templates.computeIfAbsent(text, t -> {
      try {
        return parser.parseExpression(t, TEMPLATE);
      } catch (ParseException e) {
        throw new LabModelException("template '" + t + "' does not parse: " + e.getMessage(), e);
      }
    });
  }

  private Expression condition(String text) {
    return conditions.computeIfAbsent(text, t -> {
      try {
        return parser.parseExpression(t);
      } catch (ParseException e) {
        throw new LabModelException("condition '" + t + "' does not parse: " + e.getMessage(), e);
      }
    });
  }

  private static EvaluationContext context(LabScope scope) {
    return SimpleEvaluationContext
        .forPropertyAccessors(new VariablesAccessor(), DataBindingPropertyAccessor.forReadOnlyAccess())
        .withMethodResolvers(DataBindingMethodResolver.forInstanceMethodInvocation())
        .withRootObject(scope)
        .build();
  }

  /** Names on the scope resolve to its variables first (arguments, let, attributes). */
  private static final class VariablesAccessor implements PropertyAccessor {
    @Override
    public Class<?>[] getSpecificTargetClasses() {
      return new Class<?>[] {LabScope.class};
    }

    @Override
    public boolean canRead(EvaluationContext context, Object target, String name) {
      return target instanceof LabScope scope && scope.hasVariable(name);
    }

    @Override
    public TypedValue read(EvaluationContext context, Object target, String name) throws AccessException {
      return new TypedValue(((LabScope) target).variable(name));
    }

    @Override
    public boolean canWrite(EvaluationContext context, Object target, String name) {
      return false;
    }

    @Override
    public void write(EvaluationContext context, Object target, String name, Object newValue) throws AccessException {
      throw new AccessException("lab model expressions are read-only");
    }
  }
}
