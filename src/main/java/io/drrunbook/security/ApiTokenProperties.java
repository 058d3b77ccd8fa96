package io.drrunbook.security;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code dr.security.api-tokens}: user id to the reference of its token's SHA-256 ({@link ApiTokens}). */
@ConfigurationProperties("dr.security")
public record ApiTokenProperties(Map<String, String> apiTokens) {}
