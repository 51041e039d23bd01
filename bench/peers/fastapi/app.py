"""The original design's stack: the same task API contract in FastAPI + SQLModel.

A faithful, idiomatic implementation as that design describes it (and as the
FastAPI and SQLModel tutorials write it): SQLModel table and schemas, a sync
`Session` dependency per request, PyJWT verifying HS256 tokens signed with the
shared BETTER_AUTH_SECRET, SQLite through SQLAlchemy, served by uvicorn with one
worker per core. It exists to be measured against; it is not part of the product.

Settings (environment): DATABASE_URL (sqlite:///path), BETTER_AUTH_SECRET.
Its `tasks` table has the Rust API's columns, indexes and RFC 3339 text
timestamps, so the bench loads the same data set into it.
"""

from __future__ import annotations

import base64
import json
import os
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Optional

import jwt
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import Column, Index, String, TypeDecorator, event, func, literal, or_, text, tuple_
from sqlmodel import Field, Session, SQLModel, create_engine, select

SECRET = os.environ["BETTER_AUTH_SECRET"]
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///data/todo.db")


class RFC3339(TypeDecorator):
    """Timestamps as RFC 3339 text in UTC, the format the Rust API writes on SQLite."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")

    def process_result_value(self, value, dialect):
        return None if value is None else datetime.fromisoformat(value)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    # The same indexes as the Rust API's schema: one per sort key, each ending with id.
    __table_args__ = (
        Index("tasks_user_created", "user_id", "created_at", "id"),
        Index("tasks_user_updated", "user_id", "updated_at", "id"),
        Index("tasks_user_title", "user_id", text("lower(title)"), "id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: str
    title: str
    description: Optional[str] = None
    completed: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(RFC3339, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(RFC3339, nullable=False))


class TaskRead(SQLModel):
    id: int
    user_id: str
    title: str
    description: Optional[str]
    completed: bool
    created_at: datetime
    updated_at: datetime


def _title(value: str) -> str:
    value = value.strip()
    if not 1 <= len(value) <= 200:
        raise ValueError("must be 1 to 200 characters")
    if "\0" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _description(value: Optional[str]) -> Optional[str]:
    if value is not None and (len(value) > 1000 or "\0" in value):
        raise ValueError("must be at most 1000 characters, without NUL")
    return value


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    title: str
    description: Optional[str] = None
    completed: bool = False

    _t = field_validator("title")(_title)
    _d = field_validator("description")(_description)


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    title: Optional[str] = None
    description: Optional[str] = None
    completed: Optional[bool] = None

    @field_validator("title")
    @classmethod
    def title_ok(cls, value):
        if value is None:
            raise ValueError("may not be null")
        return _title(value)

    _d = field_validator("description")(_description)


class CompleteBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    completed: Optional[bool] = None


class StatusFilter(str, Enum):
    all = "all"
    pending = "pending"
    completed = "completed"


class SortKey(str, Enum):
    created_at = "created_at"
    updated_at = "updated_at"
    title = "title"


class SortOrder(str, Enum):
    asc = "asc"
    desc = "desc"


connect_args = {"check_same_thread": False, "timeout": 5} if DATABASE_URL.startswith("sqlite") else {}
# The pool keeps as many connections as AnyIO's threadpool has threads (40), which run
# the sync endpoints and the session dependency, and may open more without waiting
# (max_overflow=-1). With SQLAlchemy's bounded default (5 + 10 overflow), and still with
# 40 + 0, the well-known deadlock of sync `yield` session dependencies sets in under
# load: the threads wait for connections held by sessions whose teardown needs a thread,
# requests fail after the 30 s pool timeout, and at 512 connections it never recovers.
engine = create_engine(DATABASE_URL, connect_args=connect_args, pool_size=40, max_overflow=-1)

if DATABASE_URL.startswith("sqlite"):

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def get_session():
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
bearer = HTTPBearer(auto_error=False)


def problem(status_code: int, detail: str, headers: Optional[dict] = None, errors=None) -> JSONResponse:
    body = {"type": "about:blank", "title": _TITLES.get(status_code, "Error"), "status": status_code, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status_code, headers=headers, media_type="application/problem+json")


_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 422: "Unprocessable Content"}


def current_user(user_id: str, credentials: Annotated[Optional[HTTPAuthorizationCredentials], Depends(bearer)]) -> str:
    challenge = {"WWW-Authenticate": 'Bearer realm="todo"'}
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a bearer token is required", headers=challenge)
    try:
        claims = jwt.decode(
            credentials.credentials, SECRET, algorithms=["HS256"], leeway=60, options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the token is not valid",
            headers={"WWW-Authenticate": 'Bearer realm="todo", error="invalid_token"'},
        )
    if claims["sub"] != user_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "these are not your tasks")
    return user_id


UserDep = Annotated[str, Depends(current_user)]

@asynccontextmanager
async def lifespan(_app: FastAPI):
    SQLModel.metadata.create_all(engine)
    yield


app = FastAPI(title="Todo task API (FastAPI + SQLModel peer)", lifespan=lifespan)


@app.exception_handler(HTTPException)
async def http_problem(_request: Request, exc: HTTPException):
    return problem(exc.status_code, str(exc.detail), headers=exc.headers)


@app.exception_handler(RequestValidationError)
async def validation_problem(_request: Request, exc: RequestValidationError):
    errors = [{"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]} for e in exc.errors()]
    return problem(422, "the request breaks a rule", errors=errors)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


def _find(session: Session, user_id: str, task_id: int) -> Task:
    task = session.exec(select(Task).where(Task.id == task_id, Task.user_id == user_id)).first()
    if task is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such task")
    return task


def _encode_cursor(sort: SortKey, order: SortOrder, task: Task) -> str:
    value = task.title if sort == SortKey.title else getattr(task, sort.value).isoformat()
    raw = json.dumps({"s": sort.value, "o": order.value, "v": value, "i": task.id}).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_cursor(raw: str, sort: SortKey, order: SortOrder):
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if data["s"] != sort.value or data["o"] != order.value:
            raise ValueError
        value = data["v"] if sort == SortKey.title else datetime.fromisoformat(data["v"])
        return value, int(data["i"])
    except Exception:
        raise HTTPException(422, "cursor is not a cursor this API issued")


@app.get("/api/{user_id}/tasks", response_model=list[TaskRead])
def list_tasks(
    user_id: UserDep,
    session: SessionDep,
    response: Response,
    status_: Annotated[StatusFilter, Query(alias="status")] = StatusFilter.all,
    q: Annotated[Optional[str], Query(max_length=200)] = None,
    sort: SortKey = SortKey.created_at,
    order: SortOrder = SortOrder.desc,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Optional[str] = None,
):
    statement = select(Task).where(Task.user_id == user_id)
    if status_ != StatusFilter.all:
        statement = statement.where(Task.completed == (status_ == StatusFilter.completed))
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(func.lower(Task.title).like(func.lower(pattern), escape="\\"),
                func.lower(Task.description).like(func.lower(pattern), escape="\\"))
        )
    key = func.lower(Task.title) if sort == SortKey.title else getattr(Task, sort.value)
    if cursor:
        value, after_id = _decode_cursor(cursor, sort, order)
        bound = func.lower(value) if sort == SortKey.title else literal(value, type_=RFC3339())
        pair = tuple_(key, Task.id)
        statement = statement.where(pair > tuple_(bound, after_id) if order == SortOrder.asc else pair < tuple_(bound, after_id))
    if order == SortOrder.asc:
        statement = statement.order_by(key.asc(), Task.id.asc())
    else:
        statement = statement.order_by(key.desc(), Task.id.desc())
    rows = list(session.exec(statement.limit(limit + 1)).all())
    if len(rows) > limit:
        rows = rows[:limit]
        query = f"status={status_.value}&sort={sort.value}&order={order.value}&limit={limit}"
        response.headers["Link"] = f'</api/{user_id}/tasks?{query}&cursor={_encode_cursor(sort, order, rows[-1])}>; rel="next"'
    return rows


@app.post("/api/{user_id}/tasks", response_model=TaskRead, status_code=201)
def create_task(user_id: UserDep, body: TaskCreate, session: SessionDep, response: Response):
    now = utcnow()
    task = Task(user_id=user_id, title=body.title, description=body.description, completed=body.completed,
                created_at=now, updated_at=now)
    session.add(task)
    session.commit()
    session.refresh(task)
    response.headers["Location"] = f"/api/{user_id}/tasks/{task.id}"
    return task


@app.get("/api/{user_id}/tasks/{task_id}", response_model=TaskRead)
def get_task(user_id: UserDep, task_id: int, session: SessionDep):
    return _find(session, user_id, task_id)


@app.put("/api/{user_id}/tasks/{task_id}", response_model=TaskRead)
@app.patch("/api/{user_id}/tasks/{task_id}", response_model=TaskRead)
def update_task(user_id: UserDep, task_id: int, body: TaskUpdate, session: SessionDep):
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise HTTPException(422, "send at least one of title, description, completed")
    task = _find(session, user_id, task_id)
    for name, value in changes.items():
        setattr(task, name, value)
    task.updated_at = utcnow()
    session.add(task)
    session.commit()
    session.refresh(task)
    return task


@app.delete("/api/{user_id}/tasks/{task_id}", status_code=204)
def delete_task(user_id: UserDep, task_id: int, session: SessionDep):
    session.delete(_find(session, user_id, task_id))
    session.commit()
    return Response(status_code=204)


@app.patch("/api/{user_id}/tasks/{task_id}/complete", response_model=TaskRead)
def toggle_task(user_id: UserDep, task_id: int, session: SessionDep, body: Optional[CompleteBody] = None):
    task = _find(session, user_id, task_id)
    task.completed = (not task.completed) if body is None or body.completed is None else body.completed
    task.updated_at = utcnow()
    session.add(task)
    session.commit()
    session.refresh(task)
    return task
