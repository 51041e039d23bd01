//! The list endpoints and the move of a task (SPEC "Lists"). Each handler reads
//! like its row in SPEC's table; the order's arithmetic is `position.rs`, the
//! SQL `store/`.

pub mod model;
pub mod position;
pub mod store;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::db::Db;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::{AppJson, AppQuery, ListId, TaskId};
use crate::openapi::{BodyErrors, CommonErrors};
use crate::state::AppState;
use crate::tasks::list::NOT_A_LIST;
use crate::tasks::model::Task;
use model::{CreateListRequest, List, Lists, MoveListRequest, MoveTaskRequest, UpdateListRequest};
use store::{ListChanges, ListError, NewList, TaskMove, TasksOfDeleted};
use todo_domain::list::MAX_LISTS_PER_USER;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_lists, create_list))
        .routes(routes!(get_list, update_list, delete_list))
        .routes(routes!(move_list))
        .routes(routes!(move_task))
}

impl From<ListError> for ApiError {
    fn from(err: ListError) -> Self {
        match err {
            ListError::Store(err) => err.into(),
            ListError::NameTaken => ApiError::conflict("name", err.to_string()),
            ListError::TooManyLists { .. } => ApiError::validation(vec![FieldError::new("", err.to_string())]),
            ListError::AfterNotThere => ApiError::validation(vec![FieldError::new("after", err.to_string())]),
            ListError::NoSuchList => ApiError::validation(vec![FieldError::new("list_id", NOT_A_LIST)]),
        }
    }
}

/// List your lists
///
/// In your order, each with its open tasks counted, and the Inbox's (tasks in no list).
#[utoipa::path(
    get,
    path = "/api/{user_id}/lists",
    tag = "lists",
    params(("user_id" = String, Path, description = "Your user id: the token's `sub`")),
    responses((status = 200, description = "Your lists", body = Lists), CommonErrors),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id))]
async fn list_lists(State(db): State<Db>, user: AuthUser) -> ApiResult<Json<Lists>> {
    let (inbox_open_count, rows) = store::all(&db, &user.id).await?;
    Ok(Json(Lists { inbox_open_count, lists: rows.into_iter().map(List::from).collect() }))
}

/// Create a list
///
/// It goes last in your order. A name you already use (ignoring case) is a 409.
#[utoipa::path(
    post,
    path = "/api/{user_id}/lists",
    tag = "lists",
    params(("user_id" = String, Path, description = "Your user id: the token's `sub`")),
    request_body = CreateListRequest,
    responses(
        (status = 201, description = "Created", body = List,
            headers(("Location" = String, description = "The new list's URL"))),
        (status = 409, description = "You already have a list with this name; `errors` names `name`",
            body = crate::error::Problem, content_type = "application/problem+json"),
        BodyErrors,
        CommonErrors,
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id))]
async fn create_list(
    State(db): State<Db>,
    user: AuthUser,
    AppJson(request): AppJson<CreateListRequest>,
) -> ApiResult<Response> {
    let list = NewList::try_from(request).map_err(ApiError::validation)?;
    let list = List::from(store::create(&db, &user.id, list, MAX_LISTS_PER_USER).await?);
    let location = format!("/api/{}/lists/{}", crate::tasks::encode_path_segment(&user.id), list.id);
    Ok(crate::tasks::created(&location, Json(list)))
}

/// Get one list
#[utoipa::path(
    get,
    path = "/api/{user_id}/lists/{id}",
    tag = "lists",
    params(
        ("user_id" = String, Path, description = "Your user id: the token's `sub`"),
        ("id" = i64, Path, description = "The list's id"),
    ),
    responses((status = 200, description = "The list", body = List), CommonErrors),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id, list = id))]
async fn get_list(State(db): State<Db>, user: AuthUser, ListId(id): ListId) -> ApiResult<Json<List>> {
    let row = store::get(&db, &user.id, id).await?.ok_or(ApiError::NO_SUCH_LIST)?;
    Ok(Json(row.into()))
}

/// Rename or recolour a list
#[utoipa::path(
    patch,
    path = "/api/{user_id}/lists/{id}",
    tag = "lists",
    params(
        ("user_id" = String, Path, description = "Your user id: the token's `sub`"),
        ("id" = i64, Path, description = "The list's id"),
    ),
    request_body = UpdateListRequest,
    responses(
        (status = 200, description = "The changed list", body = List),
        (status = 409, description = "Another of your lists has this name; `errors` names `name`",
            body = crate::error::Problem, content_type = "application/problem+json"),
        BodyErrors,
        CommonErrors,
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id, list = id))]
async fn update_list(
    State(db): State<Db>,
    user: AuthUser,
    ListId(id): ListId,
    AppJson(request): AppJson<UpdateListRequest>,
) -> ApiResult<Json<List>> {
    let changes = ListChanges::try_from(request).map_err(ApiError::validation)?;
    let row = store::update(&db, &user.id, id, changes).await?.ok_or(ApiError::NO_SUCH_LIST)?;
    Ok(Json(row.into()))
}

/// What `DELETE /lists/{id}` does with the list's tasks.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteListParams {
    /// `delete`: delete the list's tasks with it. Left out (or empty, as every
    /// parameter of this API), they move to the Inbox, first there.
    #[param(value_type = Option<String>, pattern = "^(delete)?$")]
    pub tasks: Option<DeleteTasks>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeleteTasks {
    Delete,
}

/// Delete a list
///
/// Its tasks move to the Inbox (first there, in their order), or with
/// `?tasks=delete` are deleted, in the same transaction.
#[utoipa::path(
    delete,
    path = "/api/{user_id}/lists/{id}",
    tag = "lists",
    params(
        ("user_id" = String, Path, description = "Your user id: the token's `sub`"),
        ("id" = i64, Path, description = "The list's id"),
        DeleteListParams,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 422, description = "A query parameter is malformed", body = crate::error::Problem,
            content_type = "application/problem+json"),
        CommonErrors,
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id, list = id))]
async fn delete_list(
    State(db): State<Db>,
    user: AuthUser,
    ListId(id): ListId,
    AppQuery(params): AppQuery<DeleteListParams>,
) -> ApiResult<StatusCode> {
    let tasks = match params.tasks {
        Some(DeleteTasks::Delete) => TasksOfDeleted::Delete,
        None => TasksOfDeleted::ToInbox,
    };
    if store::delete(&db, &user.id, id, tasks).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NO_SUCH_LIST)
    }
}

/// Move a list
///
/// Right after the list `after`, or first when it is `null`.
#[utoipa::path(
    post,
    path = "/api/{user_id}/lists/{id}/move",
    tag = "lists",
    params(
        ("user_id" = String, Path, description = "Your user id: the token's `sub`"),
        ("id" = i64, Path, description = "The list's id"),
    ),
    request_body = MoveListRequest,
    responses((status = 200, description = "The moved list", body = List), BodyErrors, CommonErrors),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id, list = id))]
async fn move_list(
    State(db): State<Db>,
    user: AuthUser,
    ListId(id): ListId,
    AppJson(request): AppJson<MoveListRequest>,
) -> ApiResult<Json<List>> {
    let row = store::move_list(&db, &user.id, id, request.after).await?.ok_or(ApiError::NO_SUCH_LIST)?;
    Ok(Json(row.into()))
}

/// Move a task
///
/// Into the list `list_id` when given (`null`: the Inbox), right after the task
/// `after` there, or first when `after` is `null`. `after` must be in that list.
#[utoipa::path(
    post,
    path = "/api/{user_id}/tasks/{id}/move",
    tag = "lists",
    params(
        ("user_id" = String, Path, description = "Your user id: the token's `sub`"),
        ("id" = i64, Path, description = "The task's id"),
    ),
    request_body = MoveTaskRequest,
    responses((status = 200, description = "The moved task", body = Task), BodyErrors, CommonErrors),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(user = %user.id, task = id))]
async fn move_task(
    State(db): State<Db>,
    user: AuthUser,
    TaskId(id): TaskId,
    AppJson(request): AppJson<MoveTaskRequest>,
) -> ApiResult<Json<Task>> {
    let to = TaskMove { list: request.list_id, after: request.after };
    let row = store::move_task(&db, &user.id, id, to).await?.ok_or(ApiError::NO_SUCH_TASK)?;
    Ok(Json(row.into()))
}
