//! The task endpoints. Each handler reads like its row in SPEC's table.

pub mod instant;
pub mod list;
pub mod model;
pub mod store;
pub mod user_caps;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::db::Db;
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::extract::{AppJson, AppQuery, OptionalJson, TaskId};
use crate::openapi::{BodyErrors, CommonErrors};
use crate::state::{AppState, Clock};
use list::{ListParams, ListQuery};
use model::{CreateTaskRequest, SetCompletedRequest, Task, UpdateTaskRequest};
use store::{ChangeError, NewTask, TagCount, TaskChanges};
use todo_domain::Completion;
use user_caps::UserCaps;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(get_task, update_task, delete_task))
        .routes(routes!(complete_task))
        .routes(routes!(list_tags))
}

impl From<ChangeError> for ApiError {
    fn from(err: ChangeError) -> Self {
        match err {
            ChangeError::Store(err) => err.into(),
            ChangeError::Refused(refusal) => refusal.into(),
            ChangeError::TooManyTasks { .. } => ApiError::validation(vec![FieldError::new("", err.to_string())]),
            ChangeError::NoSuchList => ApiError::validation(vec![FieldError::new("list_id", err.to_string())]),
        }
    }
}

/// List your tasks
///
/// Newest first by default. When more rows exist than `limit`, the response carries
/// `Link: <…>; rel="next"` with the next page's URL.
#[utoipa::path(
    get,
    path = "/api/{user_id}/tasks",
    tag = "tasks",
    params(("user_id" = String, Path, description = "Your user id: the token's `sub`"), ListParams),
    responses(
        (status = 200, description = "One page of tasks", body = [Task],
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when another page exists"))),
        (status = 422, description = "A query parameter is malformed", body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id))]
async fn list_tasks(
    State(db): State<Db>,
    State(caps): State<Arc<UserCaps>>,
    State(clock): State<Clock>,
    user: AuthUser,
    AppQuery(params): AppQuery<ListParams>,
) -> ApiResult<Response> {
    let query = ListQuery::parse(params, clock.now()).map_err(ApiError::validation)?;
    if let Some(list) = query.list {
        if !crate::lists::store::owns_list(&db, &user.id, list.list_id()).await? {
            return Err(ApiError::validation(vec![FieldError::new("list", list::NOT_A_LIST)]));
        }
    }
    let _search = query.q.is_some().then(|| caps.start_search(&user.id)).transpose()?;
    let mut rows = store::list(&db, &user.id, &query).await?;
    let next_page = query.paginate(&mut rows);
    let tasks: Vec<Task> = rows.into_iter().map(Task::from).collect();
    let mut response = Json(tasks).into_response();
    if let Some(next) = next_page {
        let link = format!("</api/{}/tasks?{next}>; rel=\"next\"", encode_path_segment(&user.id));
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// Create a task
#[utoipa::path(
    post,
    path = "/api/{user_id}/tasks",
    tag = "tasks",
    params(("user_id" = String, Path, description = "Your user id: the token's `sub`")),
    request_body = CreateTaskRequest,
    responses(
        (status = 201, description = "Created", body = Task,
            headers(("Location" = String, description = "The new task's URL"))),
        BodyErrors,
        CommonErrors,
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id))]
async fn create_task(
    State(db): State<Db>,
    State(caps): State<Arc<UserCaps>>,
    user: AuthUser,
    AppJson(request): AppJson<CreateTaskRequest>,
) -> ApiResult<Response> {
    let new_task = NewTask::try_from(request).map_err(ApiError::validation)?;
    let task = Task::from(store::create(&db, &user.id, &new_task, caps.max_tasks).await?);
    let location = format!("/api/{}/tasks/{}", encode_path_segment(&user.id), task.id);
    Ok(created(&location, Json(task)))
}

/// A 201 with the new thing's URL in `Location`.
pub(crate) fn created(location: &str, body: impl IntoResponse) -> Response {
    let mut response = (StatusCode::CREATED, body).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Get one task
#[utoipa::path(
    get,
    path = "/api/{user_id}/tasks/{id}",
    tag = "tasks",
    params(
        ("user_id" = String, Path, description = "Your user id: the token's `sub`"),
        ("id" = i64, Path, description = "The task's id"),
    ),
    responses((status = 200, description = "The task", body = Task), CommonErrors),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id, task = id))]
async fn get_task(State(db): State<Db>, user: AuthUser, TaskId(id): TaskId) -> ApiResult<Json<Task>> {
    let row = store::get(&db, &user.id, id).await?.ok_or(ApiError::NO_SUCH_TASK)?;
    Ok(Json(row.into()))
}

/// Change a task
///
/// Send any of the writable fields (at least one); the others keep their values.
/// `null` clears `description`, `due_at`, `recurrence` and `remind_at`. Setting
/// `completed: true` on a recurring task creates its next occurrence. PUT and
/// PATCH do the same.
#[utoipa::path(
    method(put, patch),
    path = "/api/{user_id}/tasks/{id}",
    tag = "tasks",
    params(
        ("user_id" = String, Path, description = "Your user id: the token's `sub`"),
        ("id" = i64, Path, description = "The task's id"),
    ),
    request_body = UpdateTaskRequest,
    responses((status = 200, description = "The changed task", body = Task), BodyErrors, CommonErrors),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id, task = id))]
async fn update_task(
    State(db): State<Db>,
    user: AuthUser,
    TaskId(id): TaskId,
    AppJson(request): AppJson<UpdateTaskRequest>,
) -> ApiResult<Json<Task>> {
    let changes = TaskChanges::try_from(request).map_err(ApiError::validation)?;
    let row = store::update(&db, &user.id, id, changes).await?.ok_or(ApiError::NO_SUCH_TASK)?;
    Ok(Json(row.into()))
}

/// Delete a task
#[utoipa::path(
    delete,
    path = "/api/{user_id}/tasks/{id}",
    tag = "tasks",
    params(
        ("user_id" = String, Path, description = "Your user id: the token's `sub`"),
        ("id" = i64, Path, description = "The task's id"),
    ),
    responses((status = 204, description = "Deleted"), CommonErrors),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id, task = id))]
async fn delete_task(State(db): State<Db>, user: AuthUser, TaskId(id): TaskId) -> ApiResult<StatusCode> {
    if store::delete(&db, &user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NO_SUCH_TASK)
    }
}

/// Mark a task done or not done
///
/// Without a body the task is toggled; with `{"completed": bool}` it is set.
/// Completing a recurring task creates its next occurrence (named by
/// `next_occurrence_id`); un-completing it deletes that occurrence again
/// unless it was changed since.
#[utoipa::path(
    patch,
    path = "/api/{user_id}/tasks/{id}/complete",
    tag = "tasks",
    params(
        ("user_id" = String, Path, description = "Your user id: the token's `sub`"),
        ("id" = i64, Path, description = "The task's id"),
    ),
    request_body(content = Option<SetCompletedRequest>, description = "Optional: omit to toggle"),
    responses((status = 200, description = "The changed task", body = Task), BodyErrors, CommonErrors),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id, task = id))]
async fn complete_task(
    State(db): State<Db>,
    user: AuthUser,
    TaskId(id): TaskId,
    OptionalJson(request): OptionalJson<SetCompletedRequest>,
) -> ApiResult<Json<Task>> {
    let completion = request.map_or(Completion::Toggle, |r| Completion::Set(r.completed));
    let changes = TaskChanges { completed: Some(completion), ..TaskChanges::default() };
    let row = store::update(&db, &user.id, id, changes).await?.ok_or(ApiError::NO_SUCH_TASK)?;
    Ok(Json(row.into()))
}

/// List your tags
///
/// Every tag on your tasks (done or not) with how many carry it, for filters
/// and autocomplete. Spellings that differ only in case count as one tag.
#[utoipa::path(
    get,
    path = "/api/{user_id}/tags",
    tag = "tasks",
    params(("user_id" = String, Path, description = "Your user id: the token's `sub`")),
    responses((status = 200, description = "Your tags, sorted ignoring case", body = [TagCount]), CommonErrors),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id))]
async fn list_tags(State(db): State<Db>, user: AuthUser) -> ApiResult<Json<Vec<TagCount>>> {
    Ok(Json(store::tags(&db, &user.id).await?))
}

/// Percent-encodes a user id for use as one path segment of a URL we hand out.
pub(crate) fn encode_path_segment(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes()).collect::<String>().replace('+', "%20")
}
