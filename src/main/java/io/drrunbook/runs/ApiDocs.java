package io.drrunbook.runs;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document of the product API ({@code /v3/api-docs}, UI at {@code /api/docs}). */
@Configuration
@OpenAPIDefinition(
    info = @Info(title = "DR runbook API", version = "1",
        description = "Start disaster-recovery runs from a ticket, follow and cancel them."
            + " Errors are RFC 7807 problem documents with an `errors` array naming each field at fault."),
    security = @SecurityRequirement(name = "basic"))
@SecurityScheme(name = "basic", type = SecuritySchemeType.HTTP, scheme = "basic")
public class ApiDocs {}
