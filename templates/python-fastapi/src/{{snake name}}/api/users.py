"""The authenticated user's own account."""

from fastapi import APIRouter

from ..models import User
from ..schemas import UserOut
from .deps import CurrentUser

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> User:
    return user
