package io.drrunbook.runs;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Set;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.MappingJackson2HttpMessageConverter;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Spring MVC settings of the product API: its request bodies are read strictly (unknown fields,
 * duplicate keys, trailing data, numbers or booleans where text is expected and deep nesting are
 * refused; the rest of the application keeps Spring Boot's lenient defaults).
 */
@Configuration
public class ApiWebConfig implements WebMvcConfigurer {

  /** The request bodies of the API, the only types the strict reader reads. */
  static final Set<Class<?>> REQUEST_BODIES = Set.of(StartRunRequest.class, CancelRunRequest.class,
      PauseRunRequest.class, StepDecisionRequest.class, PrecheckOverrideRequest.class);

  private final ObjectMapper objectMapper;

  public ApiWebConfig(ObjectMapper objectMapper) {
    this.objectMapper = objectMapper;
  }

  @Override
  public void extendMessageConverters(List<HttpMessageConverter<?>> converters) {
    converters.add(0, new StrictRequestReader(strict(objectMapper)));
  }

  static ObjectMapper strict(ObjectMapper base) {
    ObjectMapper strict = base.copy();
    strict.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(32).maxNumberLength(64).maxStringLength(ApiRequestLimitFilter.LIMIT).build());
    strict.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
        DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
        DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    strict.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    strict.disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
        DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS);
    strict.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    strict.coercionConfigFor(LogicalType.POJO)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    strict.coercionConfigFor(LogicalType.Map)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    return strict;
  }

  /** Reads only the API's request bodies, with the strict mapper; writes nothing. */
  private static final class StrictRequestReader extends MappingJackson2HttpMessageConverter {
    private StrictRequestReader(ObjectMapper strict) {
      super(strict);
    }

    @Override
    public boolean canRead(Class<?> clazz, MediaType mediaType) {
      return REQUEST_BODIES.contains(clazz) && super.canRead(clazz, mediaType);
    }

    @Override
    public boolean canRead(Type type, Class<?> contextClass, MediaType mediaType) {
      return type instanceof Class<?> c && REQUEST_BODIES.contains(c)
          && super.canRead(type, contextClass, mediaType);
    }

    @Override
    public boolean canWrite(Class<?> clazz, MediaType mediaType) {
      return false;
    }

    @Override
    public boolean canWrite(Type type, Class<?> clazz, MediaType mediaType) {
      return false;
    }
  }
}
