"""Notes: short texts a user keeps, owner-only like tasks (another user's note is a 404)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator
from sqlalchemy import DateTime, ForeignKey, Index, Integer, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .api.deps import CurrentUser, DbSession
from .models import Base, utcnow
from .routing import JsonRoute
from .schemas import Timestamp

MAX_BODY_LENGTH = 5000
# The same bounds as the tasks list (the id column's range).
MAX_OFFSET = 2**31 - 1


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_owner_id_id", "owner_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: StrictStr = Field(min_length=1, max_length=MAX_BODY_LENGTH)

    @field_validator("body")
    @classmethod
    def _storable(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        if "\x00" in value:
            raise ValueError("must not contain U+0000")
        return value


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    body: str
    created_at: Timestamp


class NotePage(BaseModel):
    items: list[NoteOut]
    total: int
    limit: int
    offset: int


router = APIRouter(prefix="/api/v1/notes", tags=["notes"], route_class=JsonRoute)


def _own_note(session: Session, owner_id: int, raw_id: str) -> Note:
    note_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() else 0
    note = session.get(Note, note_id) if 1 <= note_id <= MAX_OFFSET else None
    if note is None or note.owner_id != owner_id:
        raise HTTPException(404, "No note with this id exists.")
    return note


@router.get("", response_model=NotePage)
def list_notes(
    session: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> NotePage:
    mine = select(Note).where(Note.owner_id == user.id)
    total = session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    rows = session.scalars(mine.order_by(Note.id).limit(limit).offset(offset)).all()
    items = [NoteOut.model_validate(row) for row in rows]
    return NotePage(items=items, total=total, limit=limit, offset=offset)


@router.post("", status_code=201, response_model=NoteOut)
def create_note(body: NoteCreate, response: Response, session: DbSession, user: CurrentUser) -> Note:
    note = Note(owner_id=user.id, body=body.body, created_at=utcnow())
    session.add(note)
    session.commit()
    session.refresh(note)
    response.headers["Location"] = f"/api/v1/notes/{note.id}"
    return note


@router.get("/{id}", response_model=NoteOut)
def get_note(id: str, session: DbSession, user: CurrentUser) -> Note:  # noqa: A002
    return _own_note(session, user.id, id)


@router.delete("/{id}", status_code=204)
def delete_note(id: str, session: DbSession, user: CurrentUser) -> Response:  # noqa: A002
    session.delete(_own_note(session, user.id, id))
    session.commit()
    return Response(status_code=204)
