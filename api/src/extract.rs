//! Extractors that turn every malformed request into the API's own problem documents.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// A JSON body: 415 unless sent as JSON, 413 over the limit, 400 when it is not
/// well-formed JSON, 422 when it is JSON of the wrong shape.
#[derive(Debug)]
pub struct AppJson<T>(pub T);

/// Like [`AppJson`], but an empty body is allowed and gives `None`.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = is_json(req.headers());
        let bytes = read_body(req, state).await?;
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        parse_json_object(&bytes).map(AppJson)
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = is_json(req.headers());
        let bytes = read_body(req, state).await?;
        if bytes.is_empty() {
            return Ok(OptionalJson(None));
        }
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        // A JSON `null` says as little as no body at all.
        if bytes.trim_ascii() == b"null" {
            return Ok(OptionalJson(None));
        }
        parse_json_object(&bytes).map(|value| OptionalJson(Some(value)))
    }
}

async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection: BytesRejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit: BODY_LIMIT_BYTES }
        } else {
            ApiError::MalformedJson("the request body could not be read".into())
        }
    })
}

/// `application/json` or `application/*+json`, in UTF-8 (the only charset JSON
/// allows between systems, RFC 8259 §8.1).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(mime) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<mime::Mime>().ok())
    else {
        return false;
    };
    let json =
        mime.type_() == "application" && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"));
    let utf8 = mime.get_param(mime::CHARSET).is_none_or(|charset| charset == mime::UTF_8);
    json && utf8
}

/// Parses a body that must be one JSON object: 400 when it is not well-formed
/// JSON, 422 when it is JSON of another shape (serde would otherwise accept an
/// array as a struct, field by position).
fn parse_json_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(malformed)?;
        return Err(ApiError::validation(vec![FieldError::new("", "the body must be a JSON object")]));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        // An out-of-range number is well-formed JSON that breaks a rule, whatever serde calls it.
        let out_of_range = inner.to_string().starts_with("number out of range");
        match inner.classify() {
            serde_json::error::Category::Data => ApiError::validation(vec![field_error(&path, &inner.to_string())]),
            _ if out_of_range => ApiError::validation(vec![field_error(&path, &inner.to_string())]),
            _ => malformed(inner),
        }
    })?;
    deserializer.end().map_err(malformed)?;
    Ok(value)
}

fn malformed(err: serde_json::Error) -> ApiError {
    ApiError::MalformedJson(format!("the request body is not well-formed JSON: {err}"))
}

/// Names the field a serde error is about. serde reports unknown and missing
/// fields at the enclosing object, with the name inside backticks.
fn field_error(path: &str, message: &str) -> FieldError {
    let message = message.split(" at line ").next().unwrap_or(message);
    let named = ["unknown field `", "missing field `", "duplicate field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    // serde_path_to_error already includes an unknown key in the path; a missing one it cannot.
    let field = match (path, named) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => String::new(),
        (path, Some(name)) if path != name && !path.ends_with(&format!(".{name}")) => format!("{path}.{name}"),
        (path, _) => path.to_owned(),
    };
    let message = match message.split_once(", expected one of") {
        Some((unknown, _)) if message.starts_with("unknown field") => format!("{unknown} is not allowed"),
        _ => message.to_owned(),
    };
    FieldError::new(field, message)
}

/// A query string: 422 naming the parameter when a value is malformed.
#[derive(Debug)]
pub struct AppQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for AppQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_html_form::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map(AppQuery).map_err(|err| {
            // A repeatable parameter is named as sent (`priority`), not by its position (`priority[1]`).
            let path = err.path().to_string();
            let path = path.split('[').next().unwrap_or_default();
            let message = err.into_inner().to_string();
            // What serde_html_form says of a parameter sent twice that takes one value.
            let message =
                if message == "unsupported value" { "must be given at most once".to_owned() } else { message };
            ApiError::validation(vec![field_error(path, &message)])
        })
    }
}

/// The `{id}` of a task path. An id that is not an integer names no task: 404.
#[derive(Debug, Clone, Copy)]
pub struct TaskId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for TaskId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        path_id(parts, state).await.map(TaskId).ok_or(ApiError::NO_SUCH_TASK)
    }
}

/// The `{id}` of a list path; as with a task's, one that is not an integer names no list: 404.
#[derive(Debug, Clone, Copy)]
pub struct ListId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ListId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        path_id(parts, state).await.map(ListId).ok_or(ApiError::NO_SUCH_LIST)
    }
}

async fn path_id<S: Send + Sync>(parts: &mut Parts, state: &S) -> Option<i64> {
    let params = RawPathParams::from_request_parts(parts, state).await.ok()?;
    params.iter().find(|(name, _)| *name == "id").and_then(|(_, value)| parse_id(value))
}

/// Ids are written in canonical decimal only: `+1`, `01` or `1.0` name no task.
fn parse_id(text: &str) -> Option<i64> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_of_unknown_missing_and_mistyped_values() {
        let unknown =
            field_error("colour", "unknown field `colour`, expected one of `title`, `description` at line 1 column 9");
        assert_eq!(unknown, FieldError::new("colour", "unknown field `colour` is not allowed"));
        let missing = field_error(".", "missing field `title` at line 1 column 2");
        assert_eq!(missing.field, "title");
        let mistyped = field_error("completed", "invalid type: string \"yes\", expected a boolean at line 1 column 20");
        assert_eq!(mistyped, FieldError::new("completed", "invalid type: string \"yes\", expected a boolean"));
        assert_eq!(field_error(".", "duplicate field `status`").field, "status");
    }

    #[test]
    fn only_canonical_decimal_ids_parse() {
        assert_eq!(parse_id("42"), Some(42));
        for text in ["+1", "01", "-1", "1.0", "", " 1", "99999999999999999999"] {
            assert_eq!(parse_id(text), None, "{text:?}");
        }
    }
}
