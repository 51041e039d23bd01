//! The task API: each request with an access token, renewed once on a 401;
//! problem documents (RFC 9457) turned into one sentence; lists followed
//! through `Link: rel="next"` to the end.

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use crate::config::join;
use crate::error::{unreachable, CliError};
use crate::session::{claims, Session};

pub struct Api {
    http: Client,
    base: Url,
    session: Session,
}

/// An RFC 9457 problem document, as the API writes them.
#[derive(Debug, Default, Deserialize)]
struct Problem {
    #[serde(default)]
    title: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    errors: Vec<FieldError>,
}

#[derive(Debug, Deserialize)]
struct FieldError {
    field: String,
    message: String,
}

/// One plain sentence for a refused request.
fn problem_sentence(status: StatusCode, problem: Problem) -> String {
    if !problem.errors.is_empty() {
        let parts: Vec<String> = problem.errors.iter().map(field_words).collect();
        return finish(&parts.join("; "));
    }
    match status {
        StatusCode::NOT_FOUND => "No task has that id.".to_owned(),
        StatusCode::TOO_MANY_REQUESTS => "Too many requests for now; try again in a minute.".to_owned(),
        StatusCode::SERVICE_UNAVAILABLE => "The task service is unavailable for the moment; try again.".to_owned(),
        _ if !problem.detail.is_empty() => finish(&problem.detail),
        _ if !problem.title.is_empty() => finish(&problem.title),
        _ => format!("The task service answered {status}."),
    }
}

/// One refused field in words. Most of the API's messages say what the field
/// must be and read on from its name (`title must not be empty`); the others are
/// clauses of their own (`a repeating task needs a due date`), set off by a colon.
fn field_words(error: &FieldError) -> String {
    let (field, message) = (error.field.as_str(), error.message.as_str());
    let predicate = ["must ", "is ", "was ", "are "].iter().any(|verb| message.starts_with(verb));
    match (field.is_empty(), predicate) {
        (true, _) => message.to_owned(),
        (false, true) => format!("{field} {message}"),
        (false, false) => format!("{field}: {message}"),
    }
}

/// The sentence with its first letter up and one full stop.
fn finish(text: &str) -> String {
    let text = crate::safe_text::line(text.trim());
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

impl Api {
    pub fn new(http: Client, base: Url, session: Session) -> Self {
        Self { http, base, session }
    }

    /// The signed-in person's id: the `sub` of their access token, which the
    /// API's paths must name.
    pub fn user_id(&mut self) -> Result<String, CliError> {
        let token = self.session.access_token()?;
        claims(&token).map(|c| c.sub).ok_or_else(|| CliError::failed("The access token names no user."))
    }

    /// `/api/{user_id}{rest}`, `rest` starting with `/`.
    pub fn user_url(&mut self, rest: &str) -> Result<Url, CliError> {
        let user = self.user_id()?;
        let mut url = join(&self.base, "/api");
        url.path_segments_mut().expect("http URL").push(&user);
        let prefix = url.path().to_owned();
        url.set_path(&format!("{prefix}{rest}"));
        Ok(url)
    }

    /// Sends a request, with a fresh token and once more when the API says 401
    /// (the token expired or was renewed elsewhere); a second 401 means the session is over.
    fn send(&mut self, build: impl Fn(&Client) -> RequestBuilder) -> Result<Response, CliError> {
        let token = self.session.access_token()?;
        let response = build(&self.http).bearer_auth(token).send().map_err(|e| unreachable("the task service", &e))?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let token = self.session.renew_access_token()?;
        let response = build(&self.http).bearer_auth(token).send().map_err(|e| unreachable("the task service", &e))?;
        if response.status() == StatusCode::UNAUTHORIZED {
            return Err(CliError::SignedOut);
        }
        Ok(response)
    }

    fn checked(response: Response) -> Result<Response, CliError> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let problem = response.json::<Problem>().unwrap_or_default();
        Err(CliError::failed(problem_sentence(status, problem)))
    }

    /// A GET whose answer is JSON.
    pub fn get(&mut self, url: Url) -> Result<Value, CliError> {
        Self::answer(self.send(|http| http.get(url.clone()))?)
    }

    /// A request with a JSON body (one of todo-wire's) whose answer is JSON.
    pub fn send_json(&mut self, method: Method, url: Url, body: &impl Serialize) -> Result<Value, CliError> {
        Self::answer(self.send(|http| http.request(method.clone(), url.clone()).json(body))?)
    }

    fn answer(response: Response) -> Result<Value, CliError> {
        Self::checked(response)?.json().map_err(|_| CliError::failed("The task service's answer cannot be read."))
    }

    /// A request whose answer has no body (DELETE).
    pub fn empty(&mut self, method: Method, url: Url) -> Result<(), CliError> {
        Self::checked(self.send(|http| http.request(method.clone(), url.clone()))?)?;
        Ok(())
    }

    /// Every item of a list, page after page through `Link: <…>; rel="next"`.
    pub fn all_pages(&mut self, first: Url) -> Result<Vec<Value>, CliError> {
        let mut items = Vec::new();
        let mut next = Some(first);
        // A server that keeps answering with a next link would keep us here forever.
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > 10_000 {
                return Err(CliError::failed("The task list did not end after 10,000 pages."));
            }
            let response = Self::checked(self.send(|http| http.get(url.clone()))?)?;
            next = next_link(&response, &url);
            match response.json::<Value>() {
                Ok(Value::Array(page)) => items.extend(page),
                _ => return Err(CliError::failed("The task service's list cannot be read.")),
            }
        }
        Ok(items)
    }
}

/// The `rel="next"` target of a `Link` header (RFC 8288), resolved against the page's URL.
fn next_link(response: &Response, page: &Url) -> Option<Url> {
    response.headers().get_all(reqwest::header::LINK).iter().filter_map(|v| v.to_str().ok()).find_map(|header| {
        header.split(',').find_map(|link| {
            let (target, params) = link.trim().split_once(';')?;
            let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
            let is_next = params.split(';').any(|param| {
                let param = param.trim().to_ascii_lowercase();
                param == "rel=\"next\"" || param == "rel=next"
            });
            // Only a page of the same API: the next request carries the access token.
            let next = page.join(target).ok().filter(|next| next.origin() == page.origin());
            if is_next {
                next
            } else {
                None
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_link(link: &str) -> Response {
        Response::from(http::Response::builder().header("link", link).body("[]").unwrap())
    }

    #[test]
    fn a_next_page_on_another_origin_is_not_followed() {
        let page = Url::parse("https://api.example/api/u/tasks?limit=2").unwrap();
        let same = next_link(&with_link("</api/u/tasks?cursor=x>; rel=\"next\""), &page);
        assert_eq!(same.unwrap().as_str(), "https://api.example/api/u/tasks?cursor=x");
        for elsewhere in ["<https://evil.example/steal>; rel=\"next\"", "<//evil.example/x>; rel=next"] {
            assert_eq!(next_link(&with_link(elsewhere), &page), None, "{elsewhere}");
        }
    }

    #[test]
    fn a_problem_becomes_one_sentence() {
        let validation = Problem {
            title: "Unprocessable".into(),
            detail: "The body breaks a rule".into(),
            errors: vec![
                FieldError { field: "title".into(), message: "must not be empty".into() },
                FieldError { field: "tags[0]".into(), message: "must not contain a comma".into() },
            ],
        };
        assert_eq!(
            problem_sentence(StatusCode::UNPROCESSABLE_ENTITY, validation),
            "Title must not be empty; tags[0] must not contain a comma."
        );
        let clause = Problem {
            errors: vec![FieldError {
                field: "recurrence".into(),
                message: "a repeating task needs a due date (`due_at`)".into(),
            }],
            ..Problem::default()
        };
        assert_eq!(
            problem_sentence(StatusCode::UNPROCESSABLE_ENTITY, clause),
            "Recurrence: a repeating task needs a due date (`due_at`)."
        );
        let plain = Problem { title: "Forbidden".into(), detail: "this is not yours".into(), errors: vec![] };
        assert_eq!(problem_sentence(StatusCode::FORBIDDEN, plain), "This is not yours.");
        assert_eq!(problem_sentence(StatusCode::NOT_FOUND, Problem::default()), "No task has that id.");
        assert_eq!(
            problem_sentence(StatusCode::BAD_GATEWAY, Problem::default()),
            "The task service answered 502 Bad Gateway."
        );
    }
}
