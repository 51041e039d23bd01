//! The OpenAPI 3.1 document, assembled from the handlers' own annotations.

use std::collections::BTreeMap;

use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Schema};
use utoipa::{IntoResponses, Modify, OpenApi};

use crate::error::PROBLEM_JSON;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Todo task API",
        description = "Each person's tasks, behind a Better Auth JWT sent as `Authorization: Bearer <token>`. \
                       Every error is an RFC 9457 problem document.",
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "tasks", description = "A user's own tasks"),
        (name = "lists", description = "A user's lists and their own order of lists and tasks"),
        (name = "sessions", description = "Security events from the web app: sessions and accounts that ended"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        scheme.description = Some("A JWT issued by the web app's Better Auth (`/api/auth/token`).".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Says what the derives cannot, once the routes have added their schemas:
/// an update (of a task or a list) sends at least one field (utoipa's own `min_properties` attribute
/// emits `maxProperties`).
pub fn complete(openapi: &mut utoipa::openapi::OpenApi) {
    let Some(schemas) = openapi.components.as_mut().map(|c| &mut c.schemas) else { return };
    for name in ["UpdateTaskRequest", "UpdateListRequest"] {
        if let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(name) {
            object.min_properties = Some(1);
        }
    }
}

fn problem(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, Content::new(Some(Ref::from_schema_name("Problem"))))
        .build()
        .into()
}

fn responses(list: &[(&str, &str)]) -> BTreeMap<String, RefOr<Response>> {
    list.iter().map(|(status, description)| ((*status).to_owned(), problem(description))).collect()
}

/// Errors every authenticated task route can answer.
pub struct CommonErrors;

impl IntoResponses for CommonErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            ("401", "No token, or a token that is malformed, expired, badly signed or for another issuer/audience"),
            ("403", "The `{user_id}` in the path is not the token's `sub`"),
            ("404", "No such task or list among yours (malformed ids too)"),
            (
                "429",
                "Over the per-user request rate, or as many searches running as one user may have; see `Retry-After`",
            ),
            ("503", "The task store is unreachable; safe to retry"),
        ])
        .into_iter()
        .chain([(
            "431".to_owned(),
            // Answered by the connection before any route runs, so with no problem document.
            ResponseBuilder::new().description("The request line and headers are over 32 KiB (no body)").build().into(),
        )])
        .collect()
    }
}

/// Errors of routes that take a JSON body.
pub struct BodyErrors;

impl IntoResponses for BodyErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            ("400", "The body is not well-formed JSON"),
            ("413", "The body is over 64 KiB, also when only its `Content-Length` says so (refused before reading it)"),
            ("415", "The body is not `application/json`"),
            ("422", "Well-formed JSON that breaks a rule, or a create past the tasks one user may keep; `errors` names each field"),
        ])
    }
}
