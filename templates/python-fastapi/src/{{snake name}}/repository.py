"""Data access: every query the API makes, behind plain functions of a Session.

Handlers never build SQL themselves, so they stay thin, the queries are testable without HTTP,
and SQLite or PostgreSQL is only a DATABASE_URL away.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Task, User, utcnow

MAX_ID = 2**31 - 1  # the INTEGER column's range; larger ids cannot exist


class EmailTakenError(Exception):
    """An account with this (normalised) email already exists."""


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id) if 1 <= user_id <= MAX_ID else None


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def create_user(session: Session, email: str, password_hash: str) -> User:
    if get_user_by_email(session, email) is not None:
        raise EmailTakenError(email)
    user = User(email=email, password_hash=password_hash, created_at=utcnow())
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # a concurrent registration won the race for the unique index
        session.rollback()
        raise EmailTakenError(email) from None
    session.refresh(user)
    return user


def list_tasks(
    session: Session, owner_id: int, limit: int, offset: int
) -> tuple[Sequence[Task], int]:
    """One page of the owner's tasks, oldest first, and how many they have in all."""
    mine = Task.owner_id == owner_id
    total = session.scalar(select(func.count()).select_from(Task).where(mine)) or 0
    page = session.scalars(select(Task).where(mine).order_by(Task.id).limit(limit).offset(offset))
    return page.all(), total


def get_task(session: Session, owner_id: int, task_id: int) -> Task | None:
    """The task if it exists and belongs to owner_id; None otherwise (the caller's 404)."""
    task = session.get(Task, task_id) if 1 <= task_id <= MAX_ID else None
    return task if task is not None and task.owner_id == owner_id else None


def create_task(session: Session, owner_id: int, **fields: Any) -> Task:
    now = utcnow()  # one timestamp, so a new task's created_at == updated_at
    task = Task(owner_id=owner_id, created_at=now, updated_at=now, **fields)
    session.add(task)
    session.commit()
    session.refresh(task)
    return task


def update_task(session: Session, task: Task, changes: dict[str, Any]) -> Task:
    """Apply `changes`; bump updated_at only when a value actually changed."""
    changed = False
    for field, value in changes.items():
        if getattr(task, field) != value:
            setattr(task, field, value)
            changed = True
    if changed:
        task.updated_at = utcnow()
        session.commit()
        session.refresh(task)
    return task


def delete_task(session: Session, task: Task) -> None:
    session.delete(task)
    session.commit()
